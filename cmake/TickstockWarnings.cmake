# Interface target carrying the project's warning and sanitizer flags.
add_library(ts_build_flags INTERFACE)
target_compile_options(ts_build_flags INTERFACE -Wall -Wextra)
if(TICKSTOCK_SANITIZE)
  target_compile_options(ts_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(ts_build_flags INTERFACE -fsanitize=address,undefined)
endif()
if(TICKSTOCK_FUZZ)
  # Coverage instrumentation for libFuzzer in every library the targets link.
  target_compile_options(ts_build_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()
