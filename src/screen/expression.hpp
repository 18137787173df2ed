#pragma once
// Screen expressions: the boolean filter language of the `screen` command.
//
//   expr  := or
//   or    := and (OR and)*
//   and   := not (AND not)*
//   not   := NOT not | cmp | '(' or ')'
//   cmp   := term op term          op := < <= > >= = !=
//   term  := number | open | high | low | close | volume | INDICATOR(args)[.output]
//
// Keywords, fields and function names are case-insensitive. Indicator
// arguments are numbers, positional (mapped onto the TA function's options in
// registry order: RSI(14) is RSI(timeperiod=14), BBANDS(20,2,2).upperband) or
// named (SMA(timeperiod=200)); positional ones come first. A function with
// several outputs needs `.output`.
//
// Limits: 512 characters, nesting (parentheses and NOT) 32 deep, 16 distinct
// indicator terms. Every error carries the 0-based character position and
// says what was expected there.
//
// Semantics: a comparison with a missing operand (NaN: not enough history, no
// value stored) is false. NOT negates that false, so `NOT RSI(14) < 30` holds
// for a symbol without an RSI; write `RSI(14) >= 30` to require one.
//
// Pure and immutable after parse(); evaluate() is thread-safe.
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ta/function.hpp"

namespace ts::screen {

inline constexpr std::size_t kMaxLength = 512;
inline constexpr int kMaxDepth = 32;
inline constexpr std::size_t kMaxIndicatorTerms = 16;

struct ParseError {
  std::size_t position = 0;  // 0-based character offset into the expression
  std::string message;       // ends with "at <position>"
};

enum class PriceField : unsigned char { open, high, low, close, volume };
inline constexpr std::array<std::string_view, 5> kPriceFields{"open", "high", "low", "close", "volume"};

/// One distinct indicator call an expression needs.
struct Indicator {
  ta::Call call;
  std::string key;  // call.key(), the storage key
};

/// One distinct indicator term: a call and one of its outputs, as written
/// (normalised), e.g. "RSI(14)" or "MACD(12,26,9).macdhist".
struct IndicatorTerm {
  std::string text;
  std::size_t indicator = 0;  // index into Expression::indicators()
  std::size_t output = 0;     // index into the call's outputs
};

/// What an expression is evaluated against: one bar's prices and the value of
/// every indicator term (NaN when missing), indexed like terms().
struct Sample {
  std::array<double, 5> prices{};  // indexed by PriceField
  std::span<const double> terms;
};

class Expression {
 public:
  static Result<Expression, ParseError> parse(std::string_view text);

  /// Canonical spelling: upper-case keywords and function names, lower-case
  /// fields and outputs, single spaces, shortest numbers, parentheses only
  /// where precedence needs them. parse(normalized()).normalized() == normalized().
  const std::string& normalized() const { return normalized_; }
  const std::vector<Indicator>& indicators() const { return indicators_; }
  const std::vector<IndicatorTerm>& terms() const { return terms_; }

  /// Precondition: s.terms.size() == terms().size().
  bool evaluate(const Sample& s) const;

  enum class Op : unsigned char { lt, le, gt, ge, eq, ne };
  struct Operand {
    enum class Kind : unsigned char { number, field, term } kind = Kind::number;
    double number = 0;
    std::size_t index = 0;  // PriceField or term index
  };
  struct Node {
    enum class Kind : unsigned char { cmp, all, any, negate } kind = Kind::cmp;
    Op op = Op::lt;
    Operand lhs, rhs;
    std::vector<std::size_t> children;  // indices into nodes_
  };

 private:
  friend class Parser;
  bool eval(std::size_t node, const Sample& s) const;
  std::string print(std::size_t node) const;

  std::vector<Node> nodes_;
  std::size_t root_ = 0;
  std::vector<Indicator> indicators_;
  std::vector<IndicatorTerm> terms_;
  std::string normalized_;
};

}  // namespace ts::screen
