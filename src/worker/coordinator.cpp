#include "worker/coordinator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <thread>

#include "protocol/commands.hpp"

namespace ts::worker {

Result<std::vector<std::string>> live_workers(bus::SyncClient& c) {
  std::vector<std::string> ids;
  std::string cursor = "0";
  const std::string pattern = std::string(kWorkerKeyPrefix) + "*";
  do {
    auto r = c.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r) return fail(r.error());
    if (!r->is_array() || r->elements.size() != 2) return fail("REDIS_ERROR", "unexpected SCAN reply");
    cursor = r->elements[0].str;
    for (const auto& k : r->elements[1].elements) ids.push_back(k.str.substr(kWorkerKeyPrefix.size()));
  } while (cursor != "0");
  return ids;
}

bool RedisShards::begin_run(const storage::RunRecord& run, const engine::RunRequest& req) {
  if (!opt_.enabled) return false;
  auto c = bus::SyncClient::connect(opt_.redis, std::chrono::milliseconds(2000), "tickstock-coordinator");
  if (!c) {
    spdlog::warn("run {}: workers unreachable ({}); the engine processes it itself", run.run_id,
                 c.error().message);
    return false;
  }
  auto workers = live_workers(*c);
  if (!workers || workers->empty()) {
    spdlog::info("run {}: no live worker{}; the engine processes it itself", run.run_id,
                 workers ? "" : " (" + workers.error().message + ")");
    return false;
  }
  const std::string& id = run.run_id;
  for (const auto& step : std::vector<std::vector<std::string>>{
           {"DEL", work_key(id), results_key(id), dead_key(id), cancel_key(id)},
           {"XGROUP", "CREATE", work_key(id), std::string(kGroup), "0", "MKSTREAM"},
           {"HSET", std::string(kRunsKey), id, encode_settings(opt_.settings)}}) {
    if (auto r = c->command(step); !r) {
      spdlog::warn("run {}: cannot set up its work stream ({}); the engine processes it itself", id,
                   r.error().message);
      return false;
    }
  }
  spdlog::info("run {}: coordinating {} live worker(s): {}", id, workers->size(), fmt::join(*workers, ", "));
  c_ = std::move(c).value();
  results_after_ = "0-0";
  alert_bars_ = req.alert_bars;
  taken_over_ = false;
  return true;
}

std::vector<Symbol> RedisShards::run_phase(const storage::RunRecord& run, Phase phase,
                                           const std::vector<Symbol>& symbols, const std::function<bool()>& stop,
                                           const OnResult& on_result) {
  if (taken_over_) return symbols;
  std::map<std::string, Symbol> by_name;
  for (const auto& s : symbols) by_name.emplace(s.str(), s);
  std::map<std::string, std::vector<std::string>> pending;  // shard id -> its symbols
  std::set<std::string> reported;
  const std::size_t size = std::max<std::size_t>(1, opt_.shard_size);
  for (std::size_t i = 0, index = 0; i < symbols.size(); i += size, ++index) {
    Shard shard{run.run_id, phase, static_cast<int>(index), {}, run.parameters_json, alert_bars_};
    for (std::size_t k = i; k < std::min(symbols.size(), i + size); ++k)
      shard.symbols.push_back(symbols[k].str());
    for (;;) {
      auto r = c_->command({"XADD", work_key(run.run_id), "*", "data", encode_shard(shard)});
      if (r) {
        pending.emplace(r->str, std::move(shard.symbols));
        break;
      }
      spdlog::warn("run {}: cannot hand out a {} shard: {}; retrying", run.run_id, to_string(phase),
                   r.error().message);
      if (stop()) break;
      std::this_thread::sleep_for(opt_.poll);
    }
  }
  spdlog::info("run {}: {} shard(s) of {} for the workers", run.run_id, pending.size(), to_string(phase));
  auto fail_unreported = [&](const std::vector<std::string>& names, const std::string& code,
                             const std::string& why) {
    for (const auto& name : names) {
      const auto s = by_name.find(name);
      if (s == by_name.end() || !reported.insert(name).second) continue;
      engine::SymbolReport r{false, code, why, 0};
      on_result(s->second, std::move(r));
    }
  };
  auto tell_workers_to_stop = [&] {
    if (auto r = c_->set(cancel_key(run.run_id), "1", std::chrono::hours(24)); !r)
      spdlog::warn("run {}: cannot tell the workers to stop: {}", run.run_id, r.error().message);
  };
  // Takeover: evidence of life is a liveness key or a result; evidence of
  // progress is a result. A failed check or read counts as both (Redis
  // trouble is neither the workers' absence nor their stall).
  using Clock = std::chrono::steady_clock;
  const auto check_every = std::max(
      opt_.poll, std::min(std::min(opt_.takeover, opt_.stall) / 4, std::chrono::milliseconds(1000)));
  auto last_alive = Clock::now();
  auto last_result = last_alive;
  auto next_check = last_alive + check_every;
  while (!pending.empty()) {
    if (stop()) {
      tell_workers_to_stop();
      return {};
    }
    if (const auto now = Clock::now(); now >= next_check) {
      next_check = now + check_every;
      const auto alive = live_workers(*c_);
      if (!alive || !alive->empty()) last_alive = now;
      if (!alive) last_result = now;
      const bool gone = now - last_alive >= opt_.takeover;
      if (gone || now - last_result >= opt_.stall) {
        std::set<std::string> unfinished;
        for (const auto& [id, names] : pending) unfinished.insert(names.begin(), names.end());
        std::vector<Symbol> rest;
        for (const auto& s : symbols)
          if (unfinished.contains(s.str()) && !reported.contains(s.str())) rest.push_back(s);
        spdlog::warn(
            "run {}: {} for {} ms with {} {} shard(s) unfinished; the engine does the remaining {} "
            "symbol(s) and the rest of the run itself",
            run.run_id, gone ? "no live worker" : "no result from the live workers",
            (gone ? opt_.takeover : opt_.stall).count(), pending.size(), to_string(phase), rest.size());
        tell_workers_to_stop();  // a worker that comes back leaves this run alone
        taken_over_ = true;
        return rest;
      }
    }
    auto entries = c_->xread(results_key(run.run_id), results_after_, 512, opt_.poll);
    if (!entries) {
      last_result = Clock::now();
      spdlog::warn("run {}: reading worker results: {}", run.run_id, entries.error().message);
      std::this_thread::sleep_for(opt_.poll);
      continue;
    }
    if (!entries->empty()) last_alive = last_result = Clock::now();
    for (const auto& e : *entries) {
      results_after_ = e.id;
      auto r = decode_result(e.payload);
      if (!r) {
        spdlog::warn("run {}: ignoring a result entry {}: {}", run.run_id, e.id, r.error().message);
        continue;
      }
      if (r->phase != phase) continue;  // a late duplicate of an earlier phase
      switch (r->kind) {
        case ResultEntry::Kind::symbol: {
          const auto s = by_name.find(r->symbol);
          if (s != by_name.end() && reported.insert(r->symbol).second)
            on_result(s->second, std::move(r->report));
          break;
        }
        case ResultEntry::Kind::done:
          pending.erase(r->shard_id);
          break;
        case ResultEntry::Kind::dead: {
          const auto shard = pending.find(r->shard_id);
          if (shard == pending.end()) break;
          spdlog::error("run {}: {} shard {} went to the dead-letter stream {} after {} deliveries",
                        run.run_id, to_string(phase), r->shard_id, dead_key(run.run_id), r->deliveries);
          fail_unreported(shard->second,
                          std::string(protocol::to_string(protocol::ErrorCode::shard_dead_letter)),
                          fmt::format("shard {} was delivered {} times without being acknowledged (it kept "
                                      "killing workers); moved to {}",
                                      r->shard_id, r->deliveries, dead_key(run.run_id)));
          pending.erase(shard);
          break;
        }
      }
    }
  }
  return {};
}

void RedisShards::end_run(const storage::RunRecord& run) {
  if (!c_) return;
  const std::string& id = run.run_id;
  for (const auto& step : std::vector<std::vector<std::string>>{{"HDEL", std::string(kRunsKey), id},
                                                                {"SET", cancel_key(id), "1", "EX", "86400"},
                                                                {"DEL", work_key(id)},
                                                                {"EXPIRE", results_key(id), "86400"},
                                                                {"EXPIRE", dead_key(id), "604800"}})
    if (auto r = c_->command(step); !r)
      spdlog::warn("run {}: cleaning up its work stream: {}", id, r.error().message);
  c_.reset();
}

}  // namespace ts::worker
