#pragma once
// The benchmarks' synthetic universe: S0000, S0001, ... (valid symbols, distinct synthetic series).
#include <cstdio>

#include "engine/pipeline.hpp"

namespace ts::bench {

inline void add_synthetic_symbols(engine::RunRequest& req, int symbols) {
  req.universe.name = "bench";
  for (int i = 0; i < symbols; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "S%04d", i);
    req.universe.members.push_back({Symbol::parse(name).value(), {}, {}, {}});
  }
}

}  // namespace ts::bench
