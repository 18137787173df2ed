// The generic small-window stream (window_rerun). Every other stream lives in
// its family's file, beside its batch kernel and registry row; their shared
// building blocks are in stream_parts.hpp.
#include "ta/streams.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "ta/stream_state.hpp"

namespace ts::ta::streams {
namespace {

using std::size_t;

class WindowRerun final : public Stream {
 public:
  WindowRerun(BatchFn batch, int window, size_t outputs, Opts options)
      : batch_(batch),
        w_(static_cast<size_t>(window)),
        outputs_(outputs),
        options_(options.begin(), options.end()),
        past_(w_ > 1 ? w_ - 1 : 1),
        cols_(7 * w_),
        res_(outputs * w_),
        outs_(outputs) {
    for (size_t k = 0; k < outputs_; ++k) outs_[k] = std::span<double>(res_.data() + k * w_, w_);
  }

 protected:
  bool step(const StreamBar& bar, double* out, bool commit) override {
    const size_t have = std::min(count_, w_ - 1);
    bool valid = false;
    if (have + 1 == w_) {
      // Oldest first: past_ is a ring whose oldest entry sits at head_.
      for (size_t k = 0; k < have; ++k) fill(k, past_[(head_ + k) % past_.size()]);
      fill(have, bar);
      auto col = [&](size_t c) { return std::span<const double>(cols_.data() + c * w_, w_); };
      const Inputs in{col(0), col(1), col(2), col(3), col(4), col(5), col(6), w_};
      const int begin = batch_(in, options_, outs_);
      valid = static_cast<size_t>(begin) < w_;
      if (valid)
        for (size_t k = 0; k < outputs_; ++k) out[k] = res_[k * w_ + w_ - 1];
    }
    if (commit && w_ > 1) {
      if (count_ < w_ - 1) {
        past_[count_++] = bar;
      } else {
        past_[head_] = bar;
        head_ = head_ + 1 == past_.size() ? 0 : head_ + 1;
      }
    }
    return valid;
  }
  bool save_fields(detail::StateWriter& w) const override {
    w(const_cast<std::vector<StreamBar>&>(past_), const_cast<size_t&>(head_), const_cast<size_t&>(count_));
    return true;
  }
  bool restore_fields(detail::StateReader& r) override {
    r(past_, head_, count_);
    r.check(head_ < past_.size() && count_ <= past_.size(), "ring position outside the ring");
    return true;
  }

 private:
  void fill(size_t k, const StreamBar& b) {
    const double v[7] = {b.open, b.high, b.low, b.close, b.volume, b.real0, b.real1};
    for (size_t c = 0; c < 7; ++c) cols_[c * w_ + k] = v[c];
  }

  BatchFn batch_;
  size_t w_;
  size_t outputs_;
  std::vector<double> options_;
  std::vector<StreamBar> past_;  // the last w_-1 bars
  size_t head_ = 0;
  size_t count_ = 0;  // bars kept, up to w_-1
  // Scratch for the re-run (allocated once; not thread-safe, like every Stream).
  std::vector<double> cols_, res_;
  std::vector<std::span<double>> outs_;
};

}  // namespace

std::unique_ptr<Stream> window_rerun(BatchFn batch, int window, std::size_t outputs, Opts options) {
  return std::make_unique<WindowRerun>(batch, window, outputs, options);
}

}  // namespace ts::ta::streams
