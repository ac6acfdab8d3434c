;; The reference kernels' WebAssembly SIMD loops for the two-bit layouts (I2_S, TQ2_0): the
;; nibble-table dot (nibble-blocks.ts) and the decoding of 32-byte runs (two-bit-decode.ts). Kept
;; apart from ternpack's other SIMD module (src/simd/ternary.wat) so that the kernels share no code
;; with the quantizer or the verifier. Built into two-bit-module.ts by `npm run build:simd`.
;; Memory: the callers' regions only (each lays them out from byte 0 for one call).
(module
  (memory (export "memory") 1)

  ;; For `blocks` blocks of `blockBytes` bytes at `src` (block k being block first + k of the tensor), the lane sums of the first
  ;; `codeBytes` (even) bytes, byte i's high nibble at table position pos + 2i and its low one at
  ;; pos + 2i + 1, pos = 2·codeBytes·((first + k) mod perRow); table entries are f64 lane pairs
  ;; (256 bytes a position), added into the f64 pair of sums[k]. Lane sums are exact integers, so
  ;; the order of the additions does not matter.
  (func (export "nibble_blocks") (param $src i32) (param $blocks i32) (param $blockBytes i32) (param $codeBytes i32)
                                 (param $first i32) (param $perRow i32) (param $lut i32) (param $sums i32)
    (local $k i32) (local $i i32) (local $base i32) (local $x i32) (local $y i32) (local $a v128) (local $b v128)
    (if (i32.eqz (local.get $blocks)) (then (return)))
    (loop $block
      (local.set $base (i32.add (local.get $lut) (i32.mul (i32.mul (local.get $codeBytes) (i32.const 512))
        (i32.rem_u (i32.add (local.get $first) (local.get $k)) (local.get $perRow)))))
      (local.set $a (v128.const i64x2 0 0))
      (local.set $b (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (loop $bytes
        (local.set $x (i32.load8_u (i32.add (local.get $src) (local.get $i))))
        (local.set $y (i32.load8_u offset=1 (i32.add (local.get $src) (local.get $i))))
        (local.set $a (f64x2.add (local.get $a) (f64x2.add
          (v128.load (i32.add (local.get $base) (i32.shl (i32.shr_u (local.get $x) (i32.const 4)) (i32.const 4))))
          (v128.load offset=256 (i32.add (local.get $base) (i32.shl (i32.and (local.get $x) (i32.const 15)) (i32.const 4)))))))
        (local.set $b (f64x2.add (local.get $b) (f64x2.add
          (v128.load offset=512 (i32.add (local.get $base) (i32.shl (i32.shr_u (local.get $y) (i32.const 4)) (i32.const 4))))
          (v128.load offset=768 (i32.add (local.get $base) (i32.shl (i32.and (local.get $y) (i32.const 15)) (i32.const 4)))))))
        (local.set $base (i32.add (local.get $base) (i32.const 1024)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br_if $bytes (i32.lt_u (local.get $i) (local.get $codeBytes))))
      (v128.store (local.get $sums) (f64x2.add (v128.load (local.get $sums)) (f64x2.add (local.get $a) (local.get $b))))
      (local.set $sums (i32.add (local.get $sums) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (local.get $blockBytes)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $block (i32.lt_u (local.get $k) (local.get $blocks)))))

  ;; Decodes `runs` runs of 32 bytes (run r at byte (r div perBlock)·blockBytes + 32·(r mod perBlock)
  ;; of `src`) into 128 codes each at dst + 128·r: element j + 32·slot of a run is field
  ;; (byte j >> shift(slot)) & 3 minus 1, shift(slot) = 6 − 2·slot when `msbFirst`, else 2·slot.
  (func (export "decode_runs") (param $src i32) (param $runs i32) (param $perBlock i32) (param $blockBytes i32) (param $msbFirst i32) (param $dst i32)
    (local $r i32) (local $at i32) (local $half i32) (local $slot i32) (local $v v128) (local $shift i32)
    (if (i32.eqz (local.get $runs)) (then (return)))
    (loop $run
      (local.set $at (i32.add (local.get $src) (i32.add
        (i32.mul (i32.div_u (local.get $r) (local.get $perBlock)) (local.get $blockBytes))
        (i32.mul (i32.rem_u (local.get $r) (local.get $perBlock)) (i32.const 32)))))
      (local.set $half (i32.const 0))
      (loop $halves
        (local.set $v (v128.load (i32.add (local.get $at) (local.get $half))))
        (local.set $slot (i32.const 0))
        (loop $slots
          (local.set $shift (select
            (i32.sub (i32.const 6) (i32.shl (local.get $slot) (i32.const 1)))
            (i32.shl (local.get $slot) (i32.const 1))
            (local.get $msbFirst)))
          (v128.store (i32.add (local.get $dst) (i32.add (i32.shl (local.get $slot) (i32.const 5)) (local.get $half)))
            (i8x16.sub (v128.and (i8x16.shr_u (local.get $v) (local.get $shift)) (i8x16.splat (i32.const 3))) (i8x16.splat (i32.const 1))))
          (local.set $slot (i32.add (local.get $slot) (i32.const 1)))
          (br_if $slots (i32.lt_u (local.get $slot) (i32.const 4))))
        (local.set $half (i32.add (local.get $half) (i32.const 16)))
        (br_if $halves (i32.lt_u (local.get $half) (i32.const 32))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $run (i32.lt_u (local.get $r) (local.get $runs)))))

  ;; The first of `blocks` blocks of `blockBytes` bytes at `src` whose first `codeBytes` bytes (a
  ;; multiple of 16) hold a 2-bit field 0b11, code 3, which no two-bit layout writes; −1 if none.
  (func (export "code3_block") (param $src i32) (param $blocks i32) (param $blockBytes i32) (param $codeBytes i32) (result i32)
    (local $k i32) (local $i i32) (local $v v128) (local $bad v128)
    (if (i32.eqz (local.get $blocks)) (then (return (i32.const -1))))
    (loop $block
      (local.set $bad (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (loop $bytes
        (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $bad (v128.or (local.get $bad) (v128.and (local.get $v) (i8x16.shr_u (local.get $v) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br_if $bytes (i32.lt_u (local.get $i) (local.get $codeBytes))))
      (if (v128.any_true (v128.and (local.get $bad) (i8x16.splat (i32.const 0x55)))) (then (return (local.get $k))))
      (local.set $src (i32.add (local.get $src) (local.get $blockBytes)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $block (i32.lt_u (local.get $k) (local.get $blocks))))
    (i32.const -1)))

