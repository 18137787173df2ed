#include "screen/expression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace ts::screen {
namespace {

Expression parse_ok(std::string_view text) {
  auto r = Expression::parse(text);
  EXPECT_TRUE(r.ok()) << text << " -> " << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : Expression::parse("close > 0").value();
}

ParseError parse_fail(std::string_view text) {
  auto r = Expression::parse(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->normalized() : "");
  return r.ok() ? ParseError{} : std::move(r).error();
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Evaluates with close = `close` (other prices 1) and the given term values.
bool eval(const Expression& e, double close, std::vector<double> terms = {}) {
  terms.resize(e.terms().size(), kNaN);
  Sample s;
  s.prices = {1, 1, 1, close, 1000};
  s.terms = terms;
  return e.evaluate(s);
}

TEST(ScreenParse, NormalisesSpellingAndKeepsTheTermsAsWritten) {
  const auto e = parse_ok("rsi( 14 )<30 and Close>sma(200)");
  EXPECT_EQ(e.normalized(), "RSI(14) < 30 AND close > SMA(200)");
  ASSERT_EQ(e.terms().size(), 2u);
  EXPECT_EQ(e.terms()[0].text, "RSI(14)");
  EXPECT_EQ(e.terms()[1].text, "SMA(200)");
  ASSERT_EQ(e.indicators().size(), 2u);
  EXPECT_EQ(e.indicators()[0].key, "RSI(timeperiod=14)");
  EXPECT_EQ(e.indicators()[1].key, "SMA(timeperiod=200)");

  EXPECT_EQ(parse_ok("close>=1.50").normalized(), "close >= 1.5");
  EXPECT_EQ(parse_ok("volume != 1e3").normalized(), "volume != 1000");
  EXPECT_EQ(parse_ok("close > -2.5").normalized(), "close > -2.5");
  EXPECT_EQ(parse_ok("close = .5").normalized(), "close = 0.5");
  EXPECT_EQ(parse_ok("SMA(timeperiod = 200) < close").normalized(), "SMA(timeperiod=200) < close");
  EXPECT_EQ(parse_ok("OBV() > 0").normalized(), "OBV() > 0");
  EXPECT_EQ(parse_ok("not   close<1").normalized(), "NOT close < 1");
}

TEST(ScreenParse, PositionalArgumentsMapOntoOptionsInRegistryOrder) {
  const auto macd = parse_ok("MACD(12,26,9).macdhist > 0");
  EXPECT_EQ(macd.indicators()[0].key, "MACD(fastperiod=12,slowperiod=26,signalperiod=9)");
  EXPECT_EQ(macd.terms()[0].text, "MACD(12,26,9).macdhist");
  EXPECT_EQ(macd.terms()[0].output, 2u);
  const auto bb = parse_ok("close > BBANDS(20,2,2).UPPERBAND");
  EXPECT_EQ(bb.indicators()[0].key, "BBANDS(timeperiod=20,nbdevup=2,nbdevdn=2,matype=0)");
  EXPECT_EQ(bb.terms()[0].text, "BBANDS(20,2,2).upperband");
  EXPECT_EQ(bb.terms()[0].output, 0u);
  // Positional first, then named; omitted options take defaults.
  const auto mixed = parse_ok("BBANDS(10, nbdevdn=3).lowerband < close");
  EXPECT_EQ(mixed.indicators()[0].key, "BBANDS(timeperiod=10,nbdevup=2,nbdevdn=3,matype=0)");
  EXPECT_EQ(parse_ok("RSI() < 30").indicators()[0].key, "RSI(timeperiod=14)");
}

TEST(ScreenParse, DistinctTermsAndCallsAreListedOnce) {
  const auto e = parse_ok(
      "RSI(14) < 30 AND RSI(14) > 10 AND RSI(timeperiod=14) > 5 AND MACD(12,26,9).macd > "
      "MACD(12,26,9).macdsignal");
  // Two spellings of one RSI call are two terms (values are keyed by term) but one call.
  ASSERT_EQ(e.terms().size(), 4u);
  EXPECT_EQ(e.terms()[1].text, "RSI(timeperiod=14)");
  EXPECT_EQ(e.terms()[0].indicator, e.terms()[1].indicator);
  ASSERT_EQ(e.indicators().size(), 2u);
  EXPECT_EQ(e.terms()[2].indicator, e.terms()[3].indicator);
  EXPECT_EQ(e.terms()[3].output, 1u);
}

TEST(ScreenParse, PrecedenceIsNotThenAndThenOr) {
  // a OR b AND c == a OR (b AND c)
  const auto e = parse_ok("close > 10 OR close > 5 AND close < 6");
  EXPECT_EQ(e.normalized(), "close > 10 OR close > 5 AND close < 6");
  EXPECT_TRUE(eval(e, 11));
  EXPECT_TRUE(eval(e, 5.5));
  EXPECT_FALSE(eval(e, 7));
  // (a OR b) AND c keeps its parentheses.
  const auto g = parse_ok("(close > 10 OR close > 5) AND close < 6");
  EXPECT_EQ(g.normalized(), "(close > 10 OR close > 5) AND close < 6");
  EXPECT_FALSE(eval(g, 11));
  EXPECT_TRUE(eval(g, 5.5));
  // NOT binds to the comparison, not to the AND.
  const auto n = parse_ok("NOT close > 10 AND close > 5");
  EXPECT_EQ(n.normalized(), "NOT close > 10 AND close > 5");
  EXPECT_TRUE(eval(n, 7));
  EXPECT_FALSE(eval(n, 11));
  EXPECT_FALSE(eval(n, 4));
  const auto ng = parse_ok("NOT (close > 10 AND close > 5)");
  EXPECT_EQ(ng.normalized(), "NOT (close > 10 AND close > 5)");
  EXPECT_TRUE(eval(ng, 4));
  EXPECT_FALSE(eval(ng, 11));
  // Redundant parentheses and nested chains of one kind flatten.
  EXPECT_EQ(parse_ok("((close > 1)) AND (close < 5 AND (volume > 2))").normalized(),
            "close > 1 AND close < 5 AND volume > 2");
  EXPECT_EQ(parse_ok("close > 1 OR (close < 5 OR volume > 2)").normalized(),
            "close > 1 OR close < 5 OR volume > 2");
  EXPECT_EQ(parse_ok("NOT NOT (close > 1)").normalized(), "NOT NOT close > 1");
}

TEST(ScreenParse, NormalisedFormIsAFixedPoint) {
  for (const char* text :
       {"rsi(14)<30 and close>sma(200)", "not (close > 1 or volume < 5) and MACD(12,26,9).macdhist >= 0",
        "(((close > 1)))", "close>1 or close<2 and not (volume=3 or high!=low)",
        "BBANDS(20,2,2).upperband<=high", "NOT NOT NOT close > 1",
        "(close > 1 OR close < 0) AND (volume > 1 OR volume < 0)"}) {
    SCOPED_TRACE(text);
    const auto once = parse_ok(text).normalized();
    EXPECT_EQ(parse_ok(once).normalized(), once);
  }
}

TEST(ScreenEvaluate, ComparesFieldsNumbersAndTermsAndAMissingValueIsFalse) {
  const auto e = parse_ok("RSI(14) < 30 AND close > SMA(50)");
  EXPECT_TRUE(eval(e, 100, {25, 90}));
  EXPECT_FALSE(eval(e, 100, {35, 90}));
  EXPECT_FALSE(eval(e, 80, {25, 90}));
  EXPECT_FALSE(eval(e, 100, {kNaN, 90}));
  EXPECT_FALSE(eval(e, 100, {25, kNaN}));
  // != with a missing operand is false as well; NOT negates that false.
  EXPECT_FALSE(eval(parse_ok("RSI(14) != 3"), 1, {kNaN}));
  EXPECT_TRUE(eval(parse_ok("NOT RSI(14) < 30"), 1, {kNaN}));
  EXPECT_TRUE(eval(parse_ok("RSI(14) >= 30 OR close = 5"), 5, {kNaN}));
  for (const auto& [text, want] : std::vector<std::pair<const char*, bool>>{{"close < 5", false},
                                                                            {"close <= 5", true},
                                                                            {"close > 5", false},
                                                                            {"close >= 5", true},
                                                                            {"close = 5", true},
                                                                            {"close != 5", false},
                                                                            {"open < close", true},
                                                                            {"volume > 999", true},
                                                                            {"2 < 3", true}}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(eval(parse_ok(text), 5), want);
  }
}

struct BadCase {
  const char* text;
  std::size_t position;
  const char* says;
};

TEST(ScreenParse, ErrorsSayWhatWasExpectedAndWhere) {
  const BadCase cases[] = {
      {"RSI(14) 30", 8, "expected a comparison operator (< <= > >= = !=) after 'RSI(14)' at 8"},
      {"RSI(14)", 7, "expected a comparison operator (< <= > >= = !=) after 'RSI(14)' at 7"},
      {"", 0, "empty expression"},
      {"   ", 3, "empty expression"},
      {"close <", 7, "expected a number, a price field or an indicator after '<' at 7"},
      {"close < AND", 8, "expected a number, a price field or an indicator after '<' at 8"},
      {"close > 1 AND", 13, "expected a comparison, NOT or '(' after 'AND' at 13"},
      {"close > 1 close < 2", 10, "expected AND, OR or the end of the expression after 'close > 1' at 10"},
      {"close > 1)", 9, "unmatched ')' at 9"},
      {"(close > 1", 10, "expected ')' to close the '(' at 0"},
      {"(close > 1 close", 11, "expected AND, OR or ')' at 11"},
      {"close > 1 # 2", 10, "unexpected character '#' at 10"},
      {"close ! 2", 6, "the operator is '!='"},
      {"clse > 1", 0,
       "unknown indicator or price field 'clse' (price fields: open, high, low, close, volume) at 0"},
      {"close > FOO(3)", 8, "unknown indicator or price field 'FOO'"},
      {"close > SMA", 11, "expected '(' after 'SMA' (write SMA() for the default options) at 11"},
      {"MACD(12,26,9) > 0", 0,
       "MACD has several outputs; name one, e.g. MACD(12,26,9).macd (outputs: macd, macdsignal, macdhist) at "
       "0"},
      {"MACD(12,26,9).hist > 0", 14, "MACD has no output 'hist' (outputs: macd, macdsignal, macdhist) at 14"},
      {"MACD(12,26,9). > 0", 15, "expected an output name after '.' at 15"},
      {"RSI(14, 3) > 1", 8, "RSI takes at most 1 argument(s) (timeperiod) at 8"},
      {"OBV(3) > 1", 4, "OBV takes at most 0 argument(s) at 4"},
      {"RSI(period=14) > 1", 4, "RSI has no option 'period' (options: timeperiod) at 4"},
      {"RSI(timeperiod=14, timeperiod=3) > 1", 19, "option 'timeperiod' of RSI is given twice at 19"},
      {"BBANDS(nbdevup=1, 20).upperband > 1", 18, "a positional argument after a named one in BBANDS at 18"},
      {"RSI(14 15) > 1", 7, "expected ',' or ')' in the arguments of RSI at 7"},
      {"RSI(timeperiod) > 1", 14, "expected '=' after 'timeperiod' at 14"},
      {"RSI(timeperiod=x) > 1", 15, "expected a number for option 'timeperiod' of RSI at 15"},
      {"RSI(,) > 1", 4, "expected an argument (a number or option=number) of RSI at 4"},
      {"RSI(1) > 1", 0, "timeperiod"},  // out of range: the TA registry's message
      {"RSI(14.5) > 1", 0, "RSI"},
      {"close > 14abc", 10, "expected an operator or a space after the number at 10"},
      {"close > - 1", 8, "unexpected '-'"},
      {"close AND close", 6, "expected a comparison operator"},
      {"NOT", 3, "expected a comparison, NOT or '(' after 'NOT' at 3"},
      {"close > 1 < 2", 10, "expected AND, OR or the end of the expression after 'close > 1' at 10"},
      {"AND close > 1", 0, "expected a comparison, NOT or '(' at 0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto e = parse_fail(c.text);
    EXPECT_EQ(e.position, c.position) << e.message;
    EXPECT_TRUE(contains(e.message, c.says)) << e.message;
    EXPECT_TRUE(contains(e.message, " at " + std::to_string(e.position))) << e.message;
  }
}

TEST(ScreenParse, LimitsOnLengthDepthAndTerms) {
  std::string long_text = "close > 1";
  while (long_text.size() <= kMaxLength) long_text += " AND close > 1";
  auto e = parse_fail(long_text);
  EXPECT_EQ(e.position, kMaxLength);
  EXPECT_TRUE(contains(e.message, "longer than 512 characters")) << e.message;
  // Exactly 512 characters is fine.
  std::string exact = "close > 1";
  exact += std::string(kMaxLength - exact.size(), ' ');
  parse_ok(exact);

  auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "close > 1" +
           std::string(static_cast<std::size_t>(depth), ')');
  };
  parse_ok(nested(kMaxDepth));
  e = parse_fail(nested(kMaxDepth + 1));
  EXPECT_EQ(e.position, static_cast<std::size_t>(kMaxDepth));
  EXPECT_TRUE(contains(e.message, "nesting deeper than 32")) << e.message;
  std::string nots;
  for (int i = 0; i <= kMaxDepth; ++i) nots += "NOT ";
  e = parse_fail(nots + "close > 1");
  EXPECT_EQ(e.position, static_cast<std::size_t>(kMaxDepth) * 4);

  std::string terms;
  for (int p = 2; p < 2 + static_cast<int>(kMaxIndicatorTerms); ++p)
    terms += (terms.empty() ? "" : " AND ") + std::string("SMA(") + std::to_string(p) + ") > 0";
  EXPECT_EQ(parse_ok(terms).terms().size(), kMaxIndicatorTerms);
  EXPECT_EQ(parse_ok(terms + " AND SMA(2) > 1").terms().size(), kMaxIndicatorTerms);  // not a new term
  const std::string over = terms + " AND EMA(5) > 0";
  e = parse_fail(over);
  EXPECT_EQ(e.position, over.find("EMA"));
  EXPECT_TRUE(contains(e.message, "more than 16 distinct indicator terms")) << e.message;
}

TEST(ScreenParse, KeywordsAreCaseInsensitiveAndNotNames) {
  EXPECT_EQ(parse_ok("close > 1 aNd NoT close > 5 Or volume > 1").normalized(),
            "close > 1 AND NOT close > 5 OR volume > 1");
  EXPECT_EQ(parse_ok("CLOSE > OPEN").normalized(), "close > open");
  const auto e = parse_fail("close > and");
  EXPECT_EQ(e.position, 8u);
}

}  // namespace
}  // namespace ts::screen
