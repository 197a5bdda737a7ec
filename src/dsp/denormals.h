// Recursive stages (IIR filters, reverb tanks, envelope followers) decay
// towards zero after the signal stops, through the subnormal range, where
// x86 arithmetic is up to a hundred times slower. Flushing subnormals to
// zero changes a value only below 1.2e-38 (float) / 2.2e-308 (double),
// far under anything audible, and keeps the loops free of per-sample checks.
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace namix::dsp {

// Sets flush-to-zero and denormals-are-zero for this thread for its lifetime
// and restores the caller's mode after, so code outside the DSP stages
// (decoders, libebur128, LAME) keeps its IEEE behaviour. Costs a few cycles;
// a stage takes one per process() call.
class ScopedFlushDenormals {
 public:
#if defined(__SSE__)
  ScopedFlushDenormals() noexcept : saved_(_mm_getcsr()) {
    // MXCSR bit 15: flush to zero; bit 6: denormals are zero.
    _mm_setcsr(saved_ | 0x8040u);
  }
  ~ScopedFlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#elif defined(__aarch64__)
  ScopedFlushDenormals() noexcept : saved_(__builtin_aarch64_get_fpcr64()) {
    // FPCR bit 24 (FZ): flush subnormal inputs and outputs to zero.
    __builtin_aarch64_set_fpcr64(saved_ | (1ull << 24));
  }
  ~ScopedFlushDenormals() { __builtin_aarch64_set_fpcr64(saved_); }

 private:
  unsigned long long saved_;
#else
  ScopedFlushDenormals() noexcept = default;
#endif
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;
};

}  // namespace namix::dsp
