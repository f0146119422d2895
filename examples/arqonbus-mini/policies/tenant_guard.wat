;; Tenant guard: may a message cross from a sender's tenant into a room?
;; Input: "<sender tenant>:<room tenant>" (bytes). Output: 1 when both name the same tenant,
;; 0 otherwise (a missing separator or an empty tenant is a deny).
;; The module imports nothing and keeps no state between evaluations.
(module
  (memory (export "memory") 1 1)

  ;; Inputs are written at a fixed offset; anything larger than the page is refused.
  (func (export "alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 60000)) (then unreachable))
    (i32.const 1024))

  (func (export "evaluate") (param $ptr i32) (param $len i32) (result i32)
    (local $sep i32) (local $i i32)
    (local.set $sep (i32.const -1))
    (block $found
      (loop $scan
        (br_if $found (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load8_u (i32.add (local.get $ptr) (local.get $i))) (i32.const 58))
          (then (local.set $sep (local.get $i)) (br $found)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    ;; no separator or an empty sender tenant
    (if (i32.lt_s (local.get $sep) (i32.const 1)) (then (return (i32.const 0))))
    ;; the room tenant must be as long as the sender tenant
    (if (i32.ne (i32.sub (i32.sub (local.get $len) (local.get $sep)) (i32.const 1))
                (local.get $sep))
      (then (return (i32.const 0))))
    (local.set $i (i32.const 0))
    (block $done
      (loop $compare
        (br_if $done (i32.ge_u (local.get $i) (local.get $sep)))
        (if (i32.ne
              (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
              (i32.load8_u (i32.add (i32.add (local.get $ptr) (local.get $sep))
                                    (i32.add (local.get $i) (i32.const 1)))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $compare)))
    (i32.const 1)))
