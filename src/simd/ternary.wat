;; ternpack's WebAssembly SIMD loops: the hot inner loops of absmean over 16-bit weights and of the
;; verifier's dense reference. Each is an exact reformulation of the JavaScript definition it
;; replaces (f32x4 adds round every lane to float32 as Math.fround does; integer sums are exact),
;; so results are bit-identical; the tests compare them with the definitions.
;; Built into simd-module.ts by `npm run build:simd` (wabt); a test checks the two agree.
;;
;; Memory map (bytes), owned by src/simd/instance.ts:
;;   0     cascade levels: 4 levels × 32 float32 (level l at 128·l)
;;   512   codes-pass tallies: f64 Σw² @512, f64 Σ|w| of kept @520, i32 kept count @528, i32 Σcode @532
;;   1024  free for the callers' regions (instance.ts hands them out)
;;
;; A 16-bit weight is widened as one formula for both kinds: f32 bits = (h & 0x7fff) << shift,
;; value = that float × mult (bf16: shift 16, mult 1; f16: shift 13, mult 2^112, exact for
;; normal and subnormal halves); in the cascade the magnitude pattern `inf` (the kind's +Inf) becomes
;; +Inf and any pattern above it NaN, as widening does (the codes pass runs only on finite weights).
(module
  (memory (export "memory") 2)

  ;; cascade state: rows fed since cascade_begin, and the step exponent p (a carry every 2^p rows)
  (global $row (mut i32) (i32.const 0))
  (global $p (mut i32) (i32.const 4))

  ;; Starts torch's multi_row_sum cascade: levels cleared, a carry every 2^p rows.
  (func (export "cascade_begin") (param $p i32)
    (global.set $p (local.get $p))
    (global.set $row (i32.const 0))
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 512)))

  ;; level l += level l−1, level l−1 cleared (torch's carry between cascade levels)
  (func $carry (param $l i32)
    (local $hi i32) (local $end i32)
    (local.set $hi (i32.mul (local.get $l) (i32.const 128)))
    (local.set $end (i32.add (local.get $hi) (i32.const 128)))
    (loop $lanes
      (v128.store (local.get $hi)
        (f32x4.add (v128.load (local.get $hi)) (v128.load (i32.sub (local.get $hi) (i32.const 128)))))
      (v128.store (i32.sub (local.get $hi) (i32.const 128)) (v128.const i32x4 0 0 0 0))
      (local.set $hi (i32.add (local.get $hi) (i32.const 16)))
      (br_if $lanes (i32.lt_u (local.get $hi) (local.get $end)))))

  ;; Adds `rows` rows of 32 magnitudes (64 bytes of halves each, from `src`) into level 0, each
  ;; lane's additions in row order; after every 2^p-th row of the cascade, torch's carries.
  (func (export "cascade_rows") (param $src i32) (param $rows i32) (param $shift i32) (param $multf f32) (param $infp i32)
    (local $w v128) (local $mult v128) (local $inf v128)
    (local $end i32) (local $mask i32) (local $k i32)
    (if (i32.eqz (local.get $rows)) (then (return)))
    (local.set $mult (f32x4.splat (local.get $multf)))
    (local.set $inf (i32x4.splat (local.get $infp)))
    (local.set $mask (i32.sub (i32.shl (i32.const 1) (global.get $p)) (i32.const 1)))
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $rows) (i32.const 64))))
    (loop $row
      ;; level 0, lanes 4k … 4k+3 += the magnitudes of halves 4k … 4k+3 of the row
      (local.set $k (i32.const 0))
      (loop $quarter
        (local.set $w (v128.and (v128.load16x4_u (i32.add (local.get $src) (i32.shr_u (local.get $k) (i32.const 1))))
          (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
        (v128.store (local.get $k) (f32x4.add (v128.load (local.get $k))
          (v128.bitselect
            (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000)
            (v128.bitselect
              (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000)
              (f32x4.mul (i32x4.shl (local.get $w) (local.get $shift)) (local.get $mult))
              (i32x4.eq (local.get $w) (local.get $inf)))
            (i32x4.gt_u (local.get $w) (local.get $inf)))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br_if $quarter (i32.lt_u (local.get $k) (i32.const 128))))
      (local.set $src (i32.add (local.get $src) (i32.const 64)))
      (global.set $row (i32.add (global.get $row) (i32.const 1)))
      (if (i32.eqz (i32.and (global.get $row) (local.get $mask)))
        (then
          ;; level 1 += level 0, level 0 cleared; then the higher carries torch makes at this row
          (call $carry (i32.const 1))
          (local.set $k (i32.const 2))
          (block $done
            (loop $levels
              ;; carry into level k unless row has a bit set in level (k−1)'s field
              (br_if $done (i32.ne (i32.const 0)
                (i32.and (global.get $row) (i32.shl (local.get $mask) (i32.mul (global.get $p) (i32.sub (local.get $k) (i32.const 1)))))))
              (call $carry (local.get $k))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $levels (i32.lt_u (local.get $k) (i32.const 4)))))))
      (br_if $row (i32.lt_u (local.get $src) (local.get $end)))))

  ;; Σ over 4 i32 lanes of each of a, b, c, d, as the lanes of one vector [Σa, Σb, Σc, Σd]
  (func $lane_sums (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $ab v128) (local $cd v128)
    (local.set $ab (i32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $cd (i32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c) (local.get $d))))
    (i32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ab) (local.get $cd))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ab) (local.get $cd))))

  ;; Codes of `n16` × 16 halves at `src` into `dst` (one byte each: 1, −1 or 0), a weight kept
  ;; when its magnitude pattern is ≥ `thr`, with its sign; adds the tallies at 512 (see the map).
  ;; At most 16,383 blocks a call (the int16 count lanes gain 2 a block).
  (func (export "half_codes") (param $src i32) (param $n16 i32) (param $dst i32) (param $thr i32) (param $shift i32) (param $multf f32)
    (local $h v128) (local $m v128) (local $keep v128) (local $c0 v128) (local $c1 v128)
    (local $kept v128) (local $sum v128) (local $sq v128) (local $kp v128) (local $half i32)
    (local $w v128) (local $wk v128) (local $d v128)
    (local $mult v128) (local $mag v128) (local $one v128) (local $t v128) (local $end i32)
    (if (i32.eqz (local.get $n16)) (then (return)))
    (local.set $mult (f32x4.splat (local.get $multf)))
    (local.set $t (i16x8.splat (local.get $thr)))
    (local.set $mag (i16x8.splat (i32.const 0x7fff)))
    (local.set $one (i16x8.splat (i32.const 1)))
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $n16) (i32.const 32))))
    (loop $block
      (local.set $half (i32.const 0))
      (loop $halves
        (local.set $h (v128.load (i32.add (local.get $src) (local.get $half))))
        (local.set $m (v128.and (local.get $h) (local.get $mag)))
        (local.set $keep (i16x8.ge_u (local.get $m) (local.get $t)))
        ;; code = keep ? (negative ? −1 : 1) : 0, as int16 lanes
        (local.set $c1 (v128.and (local.get $keep) (v128.or (i16x8.shr_s (local.get $h) (i32.const 15)) (local.get $one))))
        (local.set $kept (i16x8.sub (local.get $kept) (local.get $keep)))
        (local.set $sum (i16x8.add (local.get $sum) (local.get $c1)))
        ;; the tallies of the low four weights, then of the high four (written out twice: a loop
        ;; and the shuffles it needs cost a quarter of the pass); the weights are finite here
        (local.set $w (f32x4.mul (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $m)) (local.get $shift)) (local.get $mult)))
        (local.set $wk (v128.and (local.get $w) (i32x4.extend_low_i16x8_s (local.get $keep))))
        (local.set $d (f64x2.promote_low_f32x4 (local.get $w)))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $d (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w))))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $kp (f64x2.add (local.get $kp) (f64x2.add (f64x2.promote_low_f32x4 (local.get $wk))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wk) (local.get $wk))))))
        (local.set $w (f32x4.mul (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $m)) (local.get $shift)) (local.get $mult)))
        (local.set $wk (v128.and (local.get $w) (i32x4.extend_high_i16x8_s (local.get $keep))))
        (local.set $d (f64x2.promote_low_f32x4 (local.get $w)))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $d (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w))))
        (local.set $sq (f64x2.add (local.get $sq) (f64x2.mul (local.get $d) (local.get $d))))
        (local.set $kp (f64x2.add (local.get $kp) (f64x2.add (f64x2.promote_low_f32x4 (local.get $wk))
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wk) (local.get $wk))))))
        (if (local.get $half)
          (then (v128.store (local.get $dst) (i8x16.narrow_i16x8_s (local.get $c0) (local.get $c1))))
          (else (local.set $c0 (local.get $c1))))
        (local.set $half (i32.add (local.get $half) (i32.const 16)))
        (br_if $halves (i32.lt_u (local.get $half) (i32.const 32))))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $block (i32.lt_u (local.get $src) (local.get $end))))
    (f64.store offset=512 (i32.const 0) (f64.add (f64.load offset=512 (i32.const 0))
      (f64.add (f64x2.extract_lane 0 (local.get $sq)) (f64x2.extract_lane 1 (local.get $sq)))))
    (f64.store offset=520 (i32.const 0) (f64.add (f64.load offset=520 (i32.const 0))
      (f64.add (f64x2.extract_lane 0 (local.get $kp)) (f64x2.extract_lane 1 (local.get $kp)))))
    (local.set $h (call $lane_sums
      (i32x4.extadd_pairwise_i16x8_s (local.get $kept)) (i32x4.extadd_pairwise_i16x8_s (local.get $sum))
      (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)))
    (i32.store offset=528 (i32.const 0) (i32.add (i32.load offset=528 (i32.const 0)) (i32x4.extract_lane 0 (local.get $h))))
    (i32.store offset=532 (i32.const 0) (i32.add (i32.load offset=532 (i32.const 0)) (i32x4.extract_lane 1 (local.get $h)))))

  ;; The dense reference for four tokens: for each of `rows` rows of `groups` groups of `gbytes`
  ;; int8 codes (gbytes a multiple of 16, zero-padded), Σ code·q per token into acc (four i32 per
  ;; group, token-minor). q: the four tokens' int16 activations, padded alike, `qstride` bytes
  ;; apart. Returns 1 when some code is outside {−1, 0, +1} (the caller finds and reports it).
  (func (export "dense4") (param $codes i32) (param $rows i32) (param $groups i32) (param $gbytes i32) (param $q i32) (param $qstride i32) (param $acc i32) (result i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $v v128) (local $lo v128) (local $hi v128)
    (local $bad v128) (local $qp i32) (local $g i32) (local $gend i32) (local $r i32)
    (if (i32.eqz (i32.mul (local.get $rows) (i32.mul (local.get $groups) (local.get $gbytes)))) (then (return (i32.const 0))))
    (loop $row
      (local.set $qp (local.get $q))
      (local.set $g (i32.const 0))
      (loop $group
        (local.set $s0 (v128.const i32x4 0 0 0 0)) (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0)) (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $gend (i32.add (local.get $codes) (local.get $gbytes)))
        (loop $chunk
          (local.set $v (v128.load (local.get $codes)))
          (local.set $bad (v128.or (local.get $bad) (i8x16.gt_u (i8x16.add (local.get $v) (i8x16.splat (i32.const 1))) (i8x16.splat (i32.const 2)))))
          (local.set $lo (i16x8.extend_low_i8x16_s (local.get $v)))
          (local.set $hi (i16x8.extend_high_i8x16_s (local.get $v)))
          (local.set $s0 (i32x4.add (local.get $s0) (i32x4.add
            (i32x4.dot_i16x8_s (local.get $lo) (v128.load offset=0 (local.get $qp)))
            (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $qp))))))
          (local.set $qp (i32.add (local.get $qp) (local.get $qstride)))
          (local.set $s1 (i32x4.add (local.get $s1) (i32x4.add
            (i32x4.dot_i16x8_s (local.get $lo) (v128.load offset=0 (local.get $qp)))
            (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $qp))))))
          (local.set $qp (i32.add (local.get $qp) (local.get $qstride)))
          (local.set $s2 (i32x4.add (local.get $s2) (i32x4.add
            (i32x4.dot_i16x8_s (local.get $lo) (v128.load offset=0 (local.get $qp)))
            (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $qp))))))
          (local.set $qp (i32.add (local.get $qp) (local.get $qstride)))
          (local.set $s3 (i32x4.add (local.get $s3) (i32x4.add
            (i32x4.dot_i16x8_s (local.get $lo) (v128.load offset=0 (local.get $qp)))
            (i32x4.dot_i16x8_s (local.get $hi) (v128.load offset=16 (local.get $qp))))))
          (local.set $qp (i32.sub (local.get $qp) (i32.sub (i32.mul (local.get $qstride) (i32.const 3)) (i32.const 32))))
          (local.set $codes (i32.add (local.get $codes) (i32.const 16)))
          (br_if $chunk (i32.lt_u (local.get $codes) (local.get $gend))))
        (v128.store (local.get $acc) (call $lane_sums (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br_if $group (i32.lt_u (local.get $g) (local.get $groups))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $rows))))
    (v128.any_true (local.get $bad))))
