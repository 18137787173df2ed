#include "client/run_tracking.hpp"

#include <algorithm>

#include "protocol/events.hpp"

namespace ts::client {

using nlohmann::json;

namespace {

template <class T>
T value_or(const json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

std::optional<Phase> phase_of(const json& payload) {
  const auto it = payload.find("phase");
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return parse_phase(it->get<std::string>());
}

}  // namespace

std::string run_id_of(const protocol::Envelope& e) { return value_or<std::string>(e.payload, "run_id", ""); }

RecentIds::RecentIds(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  ring_.reserve(capacity_);
  keys_.reserve(capacity_);
}

RecentIds::Key RecentIds::key_of(std::string_view id) noexcept {
  // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lowercase or uppercase hex): its 128 bits.
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (id.size() == 36 && id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-') {
    Key k;
    int nibbles = 0;
    bool ok = true;
    for (std::size_t i = 0; i < id.size() && ok; ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23) continue;
      const int v = hex(id[i]);
      ok = v >= 0;
      auto& half = nibbles < 16 ? k.hi : k.lo;
      half = (half << 4) | static_cast<std::uint64_t>(v < 0 ? 0 : v);
      ++nibbles;
    }
    if (ok) return k;  // (a hashed key equal to a UUID's bits is again a 2^-128 event)
  }
  // Two different 64-bit hashes (FNV-1a, and a multiplicative mix over the
  // bytes in reverse), so that distinct strings agreeing on both is a 2^-128 event.
  std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x9e3779b97f4a7c15ULL ^ id.size();
  for (const char c : id) a = (a ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  for (auto it = id.rbegin(); it != id.rend(); ++it) {
    b = (b + static_cast<unsigned char>(*it)) * 0xff51afd7ed558ccdULL;
    b ^= b >> 29;
  }
  return {a, b};
}

bool RecentIds::insert(std::string_view id) {
  const Key k = key_of(id);
  if (!keys_.insert(k).second) return false;
  if (ring_.size() < capacity_) {
    ring_.push_back(k);
    return true;
  }
  keys_.erase(ring_[next_]);
  ring_[next_] = k;
  next_ = (next_ + 1) % capacity_;
  return true;
}

std::optional<SeqGap> SeqTracker::observe(const protocol::Envelope& e) {
  std::string run_id = run_id_of(e);
  const bool run_scope = !run_id.empty();
  // Distinct key spaces for runs and engines.
  const std::string key = (run_scope ? "run:" : "engine:") + (run_scope ? run_id : e.source);
  std::optional<SeqGap> gap;
  auto it = last_.find(key);
  if (it == last_.end()) {
    it = last_.emplace(key, e.seq).first;
    order_.push_back(key);
    while (last_.size() > max_scopes_ && !order_.empty()) {
      last_.erase(order_.front());
      order_.pop_front();
    }
  } else if (e.seq > it->second) {
    if (e.seq > it->second + 1) gap = SeqGap{run_scope ? run_id : e.source, run_scope, it->second + 1, e.seq};
    it->second = e.seq;
  }
  if (run_scope && protocol::info(e.event).kind == protocol::PayloadKind::run_finished) {
    last_.erase(key);
    order_.erase(std::remove(order_.begin(), order_.end(), key), order_.end());
  }
  return gap;
}

PhaseBar& RunProgress::bar(Phase p) {
  for (auto& b : bars_)
    if (b.phase == p) return b;
  PhaseBar b;
  b.phase = p;
  const auto pos = std::find_if(bars_.begin(), bars_.end(), [p](const PhaseBar& x) { return x.phase > p; });
  return *bars_.insert(pos, b);
}

RunProgress::Step RunProgress::apply(const protocol::Envelope& e) {
  Step step;
  if (run_id_of(e) != run_id_) return step;
  step.of_run = true;
  const json& p = e.payload;
  const auto& info = protocol::info(e.event);
  switch (info.kind) {
    case protocol::PayloadKind::run_started: {
      if (const auto it = p.find("phases"); it != p.end() && it->is_array())
        for (const auto& name : *it)
          if (name.is_string())
            if (const auto ph = parse_phase(name.get<std::string>())) bar(*ph);
      step.bars_changed = true;
      break;
    }
    case protocol::PayloadKind::phase_started: {
      const Phase ph = phase_of(p).value_or(info.phase.value_or(Phase::import));
      PhaseBar& b = bar(ph);
      b.started = true;
      b.total = value_or(p, "total_symbols", b.total);
      step.phase = ph;
      step.bars_changed = true;
      break;
    }
    case protocol::PayloadKind::phase_progress: {
      const Phase ph = phase_of(p).value_or(info.phase.value_or(Phase::import));
      PhaseBar& b = bar(ph);
      b.started = true;
      // Progress never goes backwards; a late or replayed event must not undo a bar.
      const int completed = value_or(p, "completed_symbols", 0);
      if (completed >= b.completed && !b.done) {
        b.completed = completed;
        b.failed = value_or(p, "failed_symbols", b.failed);
        b.total = value_or(p, "total_symbols", b.total);
        b.percent = value_or(p, "percent_complete", b.percent);
        const auto eta = p.find("eta_seconds");
        b.eta_seconds = eta != p.end() && eta->is_number() ? std::optional(eta->get<double>()) : std::nullopt;
        b.current_symbol = value_or<std::string>(p, "current_symbol", "");
        b.count = value_or(p, std::string(protocol::phase_count_field(ph)).c_str(), b.count);
      }
      step.phase = ph;
      step.bars_changed = true;
      break;
    }
    case protocol::PayloadKind::phase_completed: {
      const Phase ph = phase_of(p).value_or(info.phase.value_or(Phase::import));
      PhaseBar& b = bar(ph);
      b.started = b.done = true;
      b.status = value_or<std::string>(p, "status", "completed");
      b.total = value_or(p, "total_symbols", b.total);
      b.failed = value_or(p, "failed_symbols", b.failed);
      b.completed = value_or(p, "successful_symbols", b.completed - b.failed) + b.failed;
      b.percent = b.total > 0 ? 100.0 * b.completed / b.total : 100.0;
      b.duration_seconds = value_or(p, "duration_seconds", 0.0);
      b.count = value_or(p, std::string(protocol::phase_count_field(ph)).c_str(), b.count);
      b.eta_seconds.reset();
      b.current_symbol.clear();
      step.phase = ph;
      step.bars_changed = true;
      break;
    }
    case protocol::PayloadKind::error: {
      const json ctx = p.value("context", json::object());
      const std::string symbol = ctx.is_object() ? value_or<std::string>(ctx, "symbol", "") : "";
      std::string line = "  " + value_or<std::string>(p, "severity", "error") + " " +
                         value_or<std::string>(p, "component", "engine");
      if (!symbol.empty()) line += " " + symbol;
      line += ": " + value_or<std::string>(p, "error_code", "ERROR") + " " +
              value_or<std::string>(p, "message", "");
      if (const auto action = value_or<std::string>(p, "recovery_action", "");
          !action.empty() && action != "none")
        line += " (" + action + ")";
      step.notes.push_back(std::move(line));
      break;
    }
    case protocol::PayloadKind::run_finished: {
      status_ = parse_run_status(value_or<std::string>(p, "status", ""))
                    .value_or(e.event == protocol::Event::processing_completed     ? RunStatus::completed
                              : e.event == protocol::Event::processing_cancelled   ? RunStatus::cancelled
                              : e.event == protocol::Event::processing_interrupted ? RunStatus::interrupted
                                                                                   : RunStatus::failed);
      final_ = p;
      step.finished = status_;
      break;
    }
    default:
      break;
  }
  return step;
}

}  // namespace ts::client
