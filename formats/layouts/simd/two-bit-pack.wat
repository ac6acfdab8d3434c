;; The packers' WebAssembly SIMD loop for the two-bit layouts (I2_S, TQ2_0): codes into 32-byte
;; runs (two-bit-pack.ts). Kept apart from the reference kernels' module (kernels/simd/two-bit.wat),
;; so that verification through the kernels shares no code with the packers. Built into
;; two-bit-pack-module.ts by `npm run build:simd`. Memory: the caller's regions only.
(module
  (memory (export "memory") 1)

  ;; Packs `runs` runs of 128 int8 codes (run r at src + 128·r) into 32 bytes each, run r at byte
  ;; (r div perBlock)·blockBytes + 32·(r mod perBlock) of `dst`: byte j holds c = t + 1 of run
  ;; elements j + 32·slot at shift(slot) = 6 − 2·slot when `msbFirst`, else 2·slot. Returns 1 when
  ;; some code is outside {−1, 0, +1} (its byte is then meaningless; the caller reports the code).
  (func (export "pack_runs") (param $src i32) (param $runs i32) (param $perBlock i32) (param $blockBytes i32) (param $msbFirst i32) (param $dst i32) (result i32)
    (local $r i32) (local $at i32) (local $half i32) (local $slot i32) (local $c v128) (local $byte v128) (local $bad v128)
    (if (i32.eqz (local.get $runs)) (then (return (i32.const 0))))
    (loop $run
      (local.set $at (i32.add (local.get $dst) (i32.add
        (i32.mul (i32.div_u (local.get $r) (local.get $perBlock)) (local.get $blockBytes))
        (i32.mul (i32.rem_u (local.get $r) (local.get $perBlock)) (i32.const 32)))))
      (local.set $half (i32.const 0))
      (loop $halves
        (local.set $byte (v128.const i64x2 0 0))
        (local.set $slot (i32.const 0))
        (loop $slots
          (local.set $c (i8x16.add
            (v128.load (i32.add (local.get $src) (i32.add (i32.shl (local.get $slot) (i32.const 5)) (local.get $half))))
            (i8x16.splat (i32.const 1))))
          (local.set $bad (v128.or (local.get $bad) (i8x16.gt_u (local.get $c) (i8x16.splat (i32.const 2)))))
          (local.set $byte (v128.or (local.get $byte) (i8x16.shl (local.get $c)
            (select (i32.sub (i32.const 6) (i32.shl (local.get $slot) (i32.const 1))) (i32.shl (local.get $slot) (i32.const 1)) (local.get $msbFirst)))))
          (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
          (br_if $slots (i32.lt_u (local.get $slot) (i32.const 4))))
        (v128.store (i32.add (local.get $at) (local.get $half)) (local.get $byte))
        (local.set $half (i32.add (local.get $half) (i32.const 16)))
        (br_if $halves (i32.lt_u (local.get $half) (i32.const 32))))
      (local.set $src (i32.add (local.get $src) (i32.const 128)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $run (i32.lt_u (local.get $r) (local.get $runs))))
    (v128.any_true (local.get $bad))))
