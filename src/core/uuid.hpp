#pragma once
// Random UUID v4 strings ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"). Thread-safe.
#include <string>
#include <string_view>

namespace ts {

std::string make_uuid_v4();
bool is_uuid(std::string_view s) noexcept;

}  // namespace ts
