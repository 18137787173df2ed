#pragma once
// The byte form of a Stream's state (internal header): what Stream::save
// writes and Stream::restore reads. A stream's state object lists its fields
// once, in one member template used for both directions:
//
//   template <class Archive> void persist(Archive& ar) { ar(count, total, lag); }
//
// Settings the factory derived from the options go through ar.same(...): they
// are written too, but a reader compares them with the stream's own and
// refuses a mismatch, so they never come from the bytes.
//
// Fields are written in that order as raw host-order bytes: numbers and enums
// by value, vectors as a 64-bit length then the elements, arrays element by
// element, nested objects through their own persist(), a nested Stream as its
// own length-prefixed state. Reading never allocates: a vector's saved length
// must equal the length the factory already allocated (a state saved with
// other options is rejected, not resized into). Pointers are never persisted
// (DcPhase's shared sine table stays the process's own).
//
// The whole state starts with a header (magic, kStreamStateVersion, a
// byte-order mark) so that bytes from another layout or another byte order are
// rejected rather than misread. Bump kStreamStateVersion whenever any persist()
// list or a persisted type changes; stored states then fail to restore and the
// engine recomputes those studies from the history once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ta/function.hpp"

namespace ts::ta::detail {

inline constexpr std::uint32_t kStreamStateMagic = 0x54535331;  // "TSS1"
inline constexpr std::uint32_t kStreamStateVersion = 1;
inline constexpr std::uint32_t kByteOrderMark = 0x01020304;

template <class T>
concept PlainValue = std::is_arithmetic_v<T> || std::is_enum_v<T>;

/// Appends fields to a byte string.
class StateWriter {
 public:
  explicit StateWriter(std::string& out) : out_(out) {}
  template <class... T>
  void operator()(T&... fields) {
    (put(fields), ...);
  }
  /// Settings the factory derived from the options (periods, factors, flags):
  /// written like fields, but on reading compared instead of overwritten.
  template <class... T>
  void same(const T&... settings) {
    (put(settings), ...);
  }
  /// A reader-side consistency check (ring positions inside their rings); the
  /// writer has nothing to check.
  void check(bool, const char*) {}

 private:
  template <class T>
  void put(const T& v) {
    if constexpr (PlainValue<T>) {
      out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    } else if constexpr (std::is_same_v<T, StreamBar>) {
      for (const double d : {v.open, v.high, v.low, v.close, v.volume, v.real0, v.real1, v.periods}) put(d);
    } else if constexpr (std::is_array_v<T>) {
      for (const auto& e : v) put(e);
    } else if constexpr (requires(T & t, StateWriter & w) { t.persist(w); }) {
      // persist() is one template for both directions, hence non-const; the
      // writer only reads the fields it is handed.
      const_cast<T&>(v).persist(*this);
    } else {
      put_container(v);
    }
  }
  template <class E, std::size_t N>
  void put_container(const std::array<E, N>& v) {
    for (const E& e : v) put(e);
  }
  template <class E>
  void put_container(const std::vector<E>& v) {
    put(static_cast<std::uint64_t>(v.size()));
    for (const E& e : v) put(e);
  }
  void put_container(const std::unique_ptr<Stream>& s);

  std::string& out_;
};

/// Reads fields back from bytes a StateWriter wrote; the first failure is kept
/// (error()) and every later read is a no-op.
class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  template <class... T>
  void operator()(T&... fields) {
    (get(fields), ...);
  }
  /// Reads each setting's saved bytes and fails unless they equal the
  /// current value's: a state is never restored into a stream whose periods
  /// or factors differ, and a corrupt setting cannot steer an index (indices
  /// derived from settings stay the factory's).
  template <class... T>
  void same(const T&... settings) {
    (expect(settings), ...);
  }
  /// Fails the read with `what` unless `valid` (checked after the fields it is about were read).
  void check(bool valid, const char* what) {
    if (ok() && !valid) fail(what);
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return in_.empty(); }
  /// Records the first failure.
  void fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
  }

 private:
  template <class T>
  void get(T& v) {
    if (!ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      // Any byte but 0 and 1 would be an invalid bool (undefined behaviour).
      if (in_.empty()) return fail("state ends early");
      const auto byte = static_cast<unsigned char>(in_.front());
      if (byte > 1) return fail("a flag holds neither 0 nor 1");
      v = byte == 1;
      in_.remove_prefix(1);
    } else if constexpr (std::is_enum_v<T>) {
      static_assert(sizeof(T) == 0, "an enum is a setting: read it with same(), which compares it");
    } else if constexpr (PlainValue<T>) {
      if (in_.size() < sizeof v) return fail("state ends early");
      std::memcpy(&v, in_.data(), sizeof v);
      in_.remove_prefix(sizeof v);
      if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
        // Signed counters and bar indices of a real series lie far inside
        // +-2^30; outside, a corrupt state could overflow them (undefined).
        if (v < -(T{1} << 30) || v > (T{1} << 30)) return fail("a count or bar index out of range");
      }
    } else if constexpr (std::is_same_v<T, StreamBar>) {
      for (double* d : {&v.open, &v.high, &v.low, &v.close, &v.volume, &v.real0, &v.real1, &v.periods})
        get(*d);
    } else if constexpr (std::is_array_v<T>) {
      for (auto& e : v) get(e);
    } else if constexpr (requires(T & t, StateReader & r) { t.persist(r); }) {
      v.persist(*this);
    } else {
      get_container(v);
    }
  }
  template <class T>
  void expect(const T& v) {
    if constexpr (PlainValue<T>) {
      if (!ok()) return;
      if (in_.size() < sizeof v) return fail("state ends early");
      if (std::memcmp(&v, in_.data(), sizeof v) != 0) return fail("state saved with other options");
      in_.remove_prefix(sizeof v);
    } else {
      static_assert(std::is_array_v<T>, "a setting is a number, an enum or an array of them");
      for (const auto& e : v) expect(e);
    }
  }
  template <class E, std::size_t N>
  void expect(const std::array<E, N>& v) {
    for (const E& e : v) expect(e);
  }
  template <class E>
  void expect(const std::vector<E>& v) {
    expect(static_cast<std::uint64_t>(v.size()));
    for (const E& e : v) expect(e);
  }
  template <class E, std::size_t N>
  void get_container(std::array<E, N>& v) {
    for (E& e : v) get(e);
  }
  template <class E>
  void get_container(std::vector<E>& v) {
    std::uint64_t n = 0;
    get(n);
    if (ok() && n != v.size())
      return fail("a saved window holds " + std::to_string(n) + " values, this stream's " +
                  std::to_string(v.size()) + " (saved with other options)");
    for (E& e : v) get(e);
  }
  void get_container(std::unique_ptr<Stream>& s);

  std::string_view in_;
  std::string error_;
};

}  // namespace ts::ta::detail
