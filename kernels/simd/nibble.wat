;; The reference kernels' one WebAssembly SIMD loop, the nibble-table dot of nibble-blocks.ts, kept
;; apart from ternpack's other SIMD module (src/simd/ternary.wat) so that the kernels share no code
;; with the quantizer or the verifier. Built into nibble-module.ts by `npm run build:simd`.
;; Memory: the caller's regions only (nibble-blocks.ts lays them out from byte 0).
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
      (br_if $block (i32.lt_u (local.get $k) (local.get $blocks))))))
