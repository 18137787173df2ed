// Stream::save / restore: the header around a stream's fields, and nested
// streams (MA-type cores hold one) as length-prefixed states of their own.
#include "ta/stream_state.hpp"

#include <string>

namespace ts::ta {
namespace detail {

void StateWriter::put_container(const std::unique_ptr<Stream>& s) {
  // A length prefix, so the reader can hand the nested stream exactly its bytes.
  std::string nested;
  if (s && !s->save(nested)) nested.clear();
  put(static_cast<std::uint64_t>(nested.size()));
  out_ += nested;
}

void StateReader::get_container(std::unique_ptr<Stream>& s) {
  std::uint64_t n = 0;
  get(n);
  if (!ok()) return;
  if (n > in_.size()) return fail("state ends early");
  const std::string_view nested = in_.substr(0, n);
  in_.remove_prefix(n);
  if (!s) {
    if (n != 0) fail("a nested stream's state where this stream has none");
    return;
  }
  if (auto st = s->restore(nested); !st) fail(st.error().message);
}

}  // namespace detail

bool Stream::save(std::string& out) const {
  const std::size_t mark = out.size();
  detail::StateWriter w(out);
  std::uint32_t magic = detail::kStreamStateMagic, version = detail::kStreamStateVersion,
                bom = detail::kByteOrderMark;
  w(magic, version, bom);
  if (save_fields(w)) return true;
  out.resize(mark);
  return false;
}

Status<> Stream::restore(std::string_view bytes) {
  detail::StateReader r(bytes);
  std::uint32_t magic = 0, version = 0, bom = 0;
  r(magic, version, bom);
  if (!r.ok() || magic != detail::kStreamStateMagic)
    return fail("BAD_STATE", "not a saved stream state (no header)");
  if (bom != detail::kByteOrderMark)
    return fail("BAD_STATE", "state saved on a machine of another byte order");
  if (version != detail::kStreamStateVersion)
    return fail("BAD_STATE", "state layout version " + std::to_string(version) + ", this build reads " +
                                 std::to_string(detail::kStreamStateVersion));
  if (!restore_fields(r)) return fail("UNSUPPORTED", "this stream has no saved form");
  if (!r.ok()) return fail("BAD_STATE", r.error());
  if (!r.at_end()) return fail("BAD_STATE", "trailing bytes after the state");
  return Ok{};
}

}  // namespace ts::ta
