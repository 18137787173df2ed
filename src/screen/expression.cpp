#include "screen/expression.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

namespace ts::screen {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

/// Shortest round-trip spelling (30, 1.5, 1e+20).
std::string format_number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string join(auto&& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

struct Token {
  enum class Kind : unsigned char { end, ident, number, op, lparen, rparen, comma, dot, assign } kind;
  std::string_view text;
  std::size_t pos = 0;
  double number = 0;
  Expression::Op op = Expression::Op::lt;
};

constexpr std::array<std::string_view, 6> kOpText{"<", "<=", ">", ">=", "=", "!="};

}  // namespace

/// Recursive descent over a token list; builds the Expression in place.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Expression, ParseError> run() {
    if (text_.size() > kMaxLength)
      return fail(
          error(kMaxLength, "the expression is longer than " + std::to_string(kMaxLength) + " characters"));
    if (auto lexed = lex(); !lexed) return fail(std::move(lexed).error());
    if (peek().kind == Token::Kind::end)
      return fail(error(peek().pos, "empty expression: expected a comparison such as RSI(14) < 30"));
    auto root = parse_or(0);
    if (!root) return fail(std::move(root).error());
    if (peek().kind != Token::Kind::end) {
      if (peek().kind == Token::Kind::rparen) return fail(error(peek().pos, "unmatched ')'"));
      return fail(error(peek().pos, "expected AND, OR or the end of the expression after '" +
                                        std::string(source(last_end_start_, prev_end())) + "'"));
    }
    e_.root_ = *root;
    e_.normalized_ = e_.print(e_.root_);
    return std::move(e_);
  }

 private:
  using Kind = Token::Kind;
  using NodeResult = Result<std::size_t, ParseError>;

  static ParseError error(std::size_t pos, std::string what) {
    return ParseError{pos, std::move(what) + " at " + std::to_string(pos)};
  }

  Status<ParseError> lex() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      Token t{Kind::end, {}, i};
      std::size_t n = 1;
      if (is_ident_start(c)) {
        while (i + n < text_.size() && is_ident(text_[i + n])) ++n;
        t.kind = Kind::ident;
      } else if (is_digit(c) || c == '.' || c == '-') {
        if (c == '.' && !(i + 1 < text_.size() && is_digit(text_[i + 1]))) {
          t.kind = Kind::dot;
        } else {
          const bool negative = c == '-';
          if (negative && !(i + 1 < text_.size() && (is_digit(text_[i + 1]) || text_[i + 1] == '.')))
            return fail(error(i, "unexpected '-' (only numbers may be negative)"));
          double v = 0;
          const auto r = std::from_chars(text_.data() + i, text_.data() + text_.size(), v);
          if (r.ec != std::errc() || !std::isfinite(v)) return fail(error(i, "expected a number"));
          n = static_cast<std::size_t>(r.ptr - (text_.data() + i));
          if (i + n < text_.size() && is_ident_start(text_[i + n]))
            return fail(error(i + n, "expected an operator or a space after the number"));
          t.kind = Kind::number;
          t.number = v;
        }
      } else if (c == '<' || c == '>') {
        const bool eq = i + 1 < text_.size() && text_[i + 1] == '=';
        n = eq ? 2 : 1;
        t.kind = Kind::op;
        t.op = c == '<' ? (eq ? Expression::Op::le : Expression::Op::lt)
                        : (eq ? Expression::Op::ge : Expression::Op::gt);
      } else if (c == '!') {
        if (!(i + 1 < text_.size() && text_[i + 1] == '='))
          return fail(error(i, "unexpected character '!' (the operator is '!=')"));
        n = 2;
        t.kind = Kind::op;
        t.op = Expression::Op::ne;
      } else if (c == '=') {
        t.kind = Kind::assign;  // '=' compares, or names an argument inside a call
        t.op = Expression::Op::eq;
      } else if (c == '(') {
        t.kind = Kind::lparen;
      } else if (c == ')') {
        t.kind = Kind::rparen;
      } else if (c == ',') {
        t.kind = Kind::comma;
      } else {
        const bool printable = c >= 0x20 && c < 0x7f;
        return fail(error(i, printable ? "unexpected character '" + std::string(1, c) + "'"
                                       : std::string("unexpected non-printable character")));
      }
      t.text = text_.substr(i, n);
      tokens_.push_back(t);
      i += n;
    }
    tokens_.push_back(Token{Kind::end, {}, text_.size()});
    return Ok{};
  }

  const Token& peek() const { return tokens_[at_]; }
  const Token& take() { return tokens_[at_++]; }
  std::size_t prev_end() const { return at_ == 0 ? 0 : tokens_[at_ - 1].pos + tokens_[at_ - 1].text.size(); }
  std::string_view source(std::size_t from, std::size_t to) const { return text_.substr(from, to - from); }
  bool keyword(std::string_view k) const { return peek().kind == Kind::ident && lowered(peek().text) == k; }
  static bool is_keyword(std::string_view word) {
    const std::string w = lowered(word);
    return w == "and" || w == "or" || w == "not";
  }
  bool starts_term() const {
    return peek().kind == Kind::number || (peek().kind == Kind::ident && !is_keyword(peek().text));
  }
  /// "after 'X'" naming the previous token, or "" at the start.
  std::string after_previous() const {
    if (at_ == 0) return {};
    return " after '" + std::string(tokens_[at_ - 1].text) + "'";
  }

  std::size_t add(Expression::Node n) {
    e_.nodes_.push_back(std::move(n));
    return e_.nodes_.size() - 1;
  }

  /// AND / OR chains; nested chains of the same kind are flattened.
  NodeResult parse_chain(int depth, bool is_or) {
    auto first = is_or ? parse_chain(depth, false) : parse_not(depth);
    if (!first) return first;
    const auto kind = is_or ? Expression::Node::Kind::any : Expression::Node::Kind::all;
    std::vector<std::size_t> items{*first};
    while (keyword(is_or ? "or" : "and")) {
      take();
      auto next = is_or ? parse_chain(depth, false) : parse_not(depth);
      if (!next) return next;
      items.push_back(*next);
    }
    if (items.size() == 1) return items[0];
    Expression::Node n;
    n.kind = kind;
    for (const auto i : items) {
      if (e_.nodes_[i].kind == kind) {
        const auto inner = e_.nodes_[i].children;
        n.children.insert(n.children.end(), inner.begin(), inner.end());
      } else {
        n.children.push_back(i);
      }
    }
    return add(std::move(n));
  }
  NodeResult parse_or(int depth) { return parse_chain(depth, true); }

  NodeResult parse_not(int depth) {
    const std::size_t start = peek().pos;
    if (keyword("not") || peek().kind == Kind::lparen) {
      if (depth + 1 > kMaxDepth)
        return fail(
            error(start, "nesting deeper than " + std::to_string(kMaxDepth) + " (parentheses and NOT)"));
      if (take().kind == Kind::lparen) {
        auto inner = parse_or(depth + 1);
        if (!inner) return inner;
        if (peek().kind != Kind::rparen)
          return fail(
              error(peek().pos, peek().kind == Kind::end
                                    ? std::string("expected ')' to close the '(' at ") + std::to_string(start)
                                    : "expected AND, OR or ')'"));
        take();
        last_end_start_ = start;
        return inner;
      }
      auto inner = parse_not(depth + 1);
      if (!inner) return inner;
      Expression::Node n;
      n.kind = Expression::Node::Kind::negate;
      n.children = {*inner};
      last_end_start_ = start;
      return add(std::move(n));
    }
    if (!starts_term())
      return fail(error(peek().pos, "expected a comparison, NOT or '('" + after_previous()));
    return parse_cmp();
  }

  NodeResult parse_cmp() {
    const std::size_t start = peek().pos;
    auto lhs = parse_term();
    if (!lhs) return fail(std::move(lhs).error());
    if (peek().kind != Kind::op && peek().kind != Kind::assign)
      return fail(error(peek().pos, "expected a comparison operator (< <= > >= = !=) after '" +
                                        std::string(source(start, prev_end())) + "'"));
    Expression::Node n;
    n.kind = Expression::Node::Kind::cmp;
    n.op = take().op;
    if (!starts_term())
      return fail(error(peek().pos, "expected a number, a price field or an indicator" + after_previous()));
    auto rhs = parse_term();
    if (!rhs) return fail(std::move(rhs).error());
    n.lhs = *lhs;
    n.rhs = *rhs;
    last_end_start_ = start;
    return add(std::move(n));
  }

  Result<Expression::Operand, ParseError> parse_term() {
    using Operand = Expression::Operand;
    const Token t = take();
    if (t.kind == Kind::number) return Operand{Operand::Kind::number, t.number, 0};
    const std::string word = lowered(t.text);
    for (std::size_t f = 0; f < kPriceFields.size(); ++f)
      if (word == kPriceFields[f]) return Operand{Operand::Kind::field, 0, f};
    const ta::FunctionSpec* spec = ta::find_function(t.text);
    if (!spec)
      return fail(error(t.pos, "unknown indicator or price field '" + std::string(t.text) +
                                   "' (price fields: " + join(kPriceFields) + ")"));
    if (peek().kind != Kind::lparen)
      return fail(error(peek().pos, "expected '(' after '" + std::string(t.text) + "' (write " +
                                        std::string(spec->name) + "() for the default options)"));
    take();
    auto call = parse_args(*spec);
    if (!call) return fail(std::move(call).error());
    std::string text = std::move(call->second);
    std::size_t output = 0;
    if (peek().kind == Kind::dot) {
      take();
      if (peek().kind != Kind::ident) return fail(error(peek().pos, "expected an output name after '.'"));
      const Token o = take();
      const std::string name = lowered(o.text);
      std::vector<std::string_view> outs;
      for (const auto& out : spec->outputs) outs.push_back(out.name);
      const auto it = std::find(outs.begin(), outs.end(), name);
      if (it == outs.end())
        return fail(error(o.pos, std::string(spec->name) + " has no output '" + std::string(o.text) +
                                     "' (outputs: " + join(outs) + ")"));
      output = static_cast<std::size_t>(it - outs.begin());
      text += "." + name;
    } else if (spec->outputs.size() > 1) {
      std::vector<std::string_view> outs;
      for (const auto& out : spec->outputs) outs.push_back(out.name);
      return fail(error(t.pos, std::string(spec->name) + " has several outputs; name one, e.g. " + text +
                                   "." + std::string(outs[0]) + " (outputs: " + join(outs) + ")"));
    }
    const auto index = add_term(std::move(call->first), std::move(text), output);
    if (!index)
      return fail(
          error(t.pos, "more than " + std::to_string(kMaxIndicatorTerms) + " distinct indicator terms"));
    return Operand{Operand::Kind::term, 0, *index};
  }

  /// After '(' up to and including ')': the validated call and its normalised spelling.
  Result<std::pair<ta::Call, std::string>, ParseError> parse_args(const ta::FunctionSpec& spec) {
    std::vector<std::pair<std::string_view, double>> opts;
    std::vector<std::string> spelled;
    bool named_seen = false;
    const std::size_t call_start = tokens_[at_ - 2].pos;
    std::vector<std::string_view> option_names;
    for (const auto& o : spec.options) option_names.push_back(o.name);
    const std::string name(spec.name);
    if (peek().kind == Kind::rparen) {
      take();
    } else {
      while (true) {
        const Token& t = peek();
        if (t.kind == Kind::number) {
          if (named_seen) return fail(error(t.pos, "a positional argument after a named one in " + name));
          if (opts.size() >= spec.options.size())
            return fail(error(t.pos, name + " takes at most " + std::to_string(spec.options.size()) +
                                         " argument(s)" +
                                         (option_names.empty() ? "" : " (" + join(option_names) + ")")));
          opts.emplace_back(spec.options[opts.size()].name, t.number);
          spelled.push_back(format_number(t.number));
          take();
        } else if (t.kind == Kind::ident) {
          const std::string oname = lowered(t.text);
          const auto it = std::find(option_names.begin(), option_names.end(), oname);
          if (it == option_names.end())
            return fail(error(t.pos, name + " has no option '" + std::string(t.text) + "'" +
                                         (option_names.empty() ? " (it takes none)"
                                                               : " (options: " + join(option_names) + ")")));
          for (const auto& [given, v] : opts)
            if (given == *it)
              return fail(error(t.pos, "option '" + oname + "' of " + name + " is given twice"));
          take();
          if (peek().kind != Kind::assign)
            return fail(error(peek().pos, "expected '=' after '" + oname + "'"));
          take();
          if (peek().kind != Kind::number)
            return fail(error(peek().pos, "expected a number for option '" + oname + "' of " + name));
          opts.emplace_back(*it, peek().number);
          spelled.push_back(oname + "=" + format_number(take().number));
          named_seen = true;
        } else {
          return fail(error(t.pos, "expected an argument (a number or option=number) of " + name));
        }
        if (peek().kind == Kind::rparen) {
          take();
          break;
        }
        if (peek().kind != Kind::comma)
          return fail(error(peek().pos, "expected ',' or ')' in the arguments of " + name));
        take();
      }
    }
    auto call = ta::make_call(spec.name, opts);
    if (!call) return fail(error(call_start, call.error().message));
    std::string text = name + "(";
    for (std::size_t i = 0; i < spelled.size(); ++i) text += (i ? "," : "") + spelled[i];
    text += ")";
    return std::pair{std::move(call).value(), std::move(text)};
  }

  /// The index of the term spelled `text`, adding it (and its call) when new.
  std::optional<std::size_t> add_term(ta::Call call, std::string text, std::size_t output) {
    for (std::size_t i = 0; i < e_.terms_.size(); ++i)
      if (e_.terms_[i].text == text) return i;
    if (e_.terms_.size() >= kMaxIndicatorTerms) return std::nullopt;
    std::string key = call.key();
    std::size_t ind = 0;
    while (ind < e_.indicators_.size() && e_.indicators_[ind].key != key) ++ind;
    if (ind == e_.indicators_.size()) e_.indicators_.push_back({std::move(call), std::move(key)});
    e_.terms_.push_back({std::move(text), ind, output});
    return e_.terms_.size() - 1;
  }

 private:
  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t at_ = 0;
  std::size_t last_end_start_ = 0;  // where the last complete comparison or group began
  Expression e_;
};

Result<Expression, ParseError> Expression::parse(std::string_view text) { return Parser(text).run(); }

bool Expression::evaluate(const Sample& s) const { return eval(root_, s); }

bool Expression::eval(std::size_t i, const Sample& s) const {
  const Node& n = nodes_[i];
  switch (n.kind) {
    case Node::Kind::all:
      return std::all_of(n.children.begin(), n.children.end(), [&](std::size_t c) { return eval(c, s); });
    case Node::Kind::any:
      return std::any_of(n.children.begin(), n.children.end(), [&](std::size_t c) { return eval(c, s); });
    case Node::Kind::negate:
      return !eval(n.children[0], s);
    case Node::Kind::cmp: {
      auto value = [&](const Operand& o) {
        switch (o.kind) {
          case Operand::Kind::number:
            return o.number;
          case Operand::Kind::field:
            return s.prices[o.index];
          case Operand::Kind::term:
            return s.terms[o.index];
        }
        return std::nan("");
      };
      const double a = value(n.lhs), b = value(n.rhs);
      // Every comparison with NaN is false, != included: a missing value
      // never matches.
      if (std::isnan(a) || std::isnan(b)) return false;
      switch (n.op) {
        case Op::lt:
          return a < b;
        case Op::le:
          return a <= b;
        case Op::gt:
          return a > b;
        case Op::ge:
          return a >= b;
        case Op::eq:
          return a == b;
        case Op::ne:
          return a != b;
      }
      return false;
    }
  }
  return false;
}

std::string Expression::print(std::size_t i) const {
  const Node& n = nodes_[i];
  auto operand = [&](const Operand& o) -> std::string {
    switch (o.kind) {
      case Operand::Kind::number:
        return format_number(o.number);
      case Operand::Kind::field:
        return std::string(kPriceFields[o.index]);
      case Operand::Kind::term:
        return terms_[o.index].text;
    }
    return {};
  };
  auto child = [&](std::size_t c, bool wrap_chains) {
    const auto k = nodes_[c].kind;
    const bool wrap = k == Node::Kind::any || (wrap_chains && k == Node::Kind::all);
    if (!wrap) return print(c);
    std::string out(1, '(');  // appended, not "(" + s: GCC 12 warns falsely (-Wrestrict)
    out += print(c);
    out += ')';
    return out;
  };
  switch (n.kind) {
    case Node::Kind::cmp:
      return operand(n.lhs) + " " + std::string(kOpText[static_cast<std::size_t>(n.op)]) + " " +
             operand(n.rhs);
    case Node::Kind::negate:
      return "NOT " + child(n.children[0], true);
    case Node::Kind::all:
    case Node::Kind::any: {
      std::string out;
      const bool is_and = n.kind == Node::Kind::all;
      for (const auto c : n.children) {
        if (!out.empty()) out += is_and ? " AND " : " OR ";
        out += is_and ? child(c, false) : print(c);
      }
      return out;
    }
  }
  return {};
}

}  // namespace ts::screen
