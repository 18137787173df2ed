#include "protocol/events.hpp"

namespace ts::protocol {

bool is_reply_channel(std::string_view channel) noexcept {
  if (!channel.starts_with(kDefaultReplyChannel)) return false;
  const std::string_view rest = channel.substr(kDefaultReplyChannel.size());
  return rest.empty() || (rest.size() > 1 && rest.front() == ':');
}

bool is_command_channel(std::string_view channel) noexcept {
  if (channel == kCommandChannel) return true;
  if (!channel.starts_with(kCommandChannelPrefix) || channel.size() == kCommandChannelPrefix.size())
    return false;
  return !is_reply_channel(channel);
}

std::string payload_schema_path(Event e) { return "events/" + std::string(to_string(e)) + ".json"; }

}  // namespace ts::protocol
