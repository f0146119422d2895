"""The compiled backend: the machine's instance blocks rendered as a C program.

States are bit-packed ``uint64_t`` values kept in BFS order in one array (the queue), with a
``uint32_t`` parent index each and an open-addressing hash set of ``uint32_t`` indices (load
at most 1/2), about 20-28 bytes per stored state. The program is compiled with the system C
compiler into a temporary directory and run as a child process; it prints counts and, per
violation, the path of packed states, which ``checker.to_result`` decodes exactly as for the
Python backend. Exploration order, parent choice and first-violation choice are the same as
the Python backend's, so both give identical results.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aces.engines.statemachine.checker import RawResult, RawViolation
from aces.engines.statemachine.compiler import Block, Program
from aces.engines.statemachine.model import Machine, ViolationKind
from aces.errors import ToolError
from aces.tools.process import ProcessRunner

MAX_STATES = (1 << 32) - 2
COMPILE_TIMEOUT = 300.0
KINDS: tuple[ViolationKind, ...] = (
    "invariant",
    "deadlock",
    "nondeterministic",
    "bound",
    "final-unreachable",
)


def usable(program: Program, limit: int = 0, cc: str | None = None) -> bool:
    """True when the caller found a C compiler and the state fits the C representation."""
    return cc is not None and program.layout.bits <= 64 and limit <= MAX_STATES


def explore(
    machine: Machine,
    program: Program,
    limit: int,
    timeout: float = 3600.0,
    runner: ProcessRunner | None = None,
    cc: str | None = None,
) -> RawResult:
    """Generate, compile and run the C explorer; ``ToolError`` when that cannot be done.

    ``cc`` is the C compiler the caller found and version-checked (this engine
    never searches for one); ``runner`` is the caller's (a check's, bounded by its
    deadline); a fresh one otherwise.
    """
    if cc is None:
        raise ToolError("no C compiler (cc, gcc or clang) was given to the compiled model checker")
    if program.layout.bits > 64:
        raise ToolError(
            f"machine '{machine.name}' needs {program.layout.bits} bits per state; "
            "the compiled backend holds 64"
        )
    limit = min(limit, MAX_STATES)
    runner = runner if runner is not None else ProcessRunner()
    with tempfile.TemporaryDirectory(prefix="aces-sm-") as work:
        source = Path(work) / "explore.c"
        source.write_text(c_source(program), encoding="utf-8")
        binary = Path(work) / "explore"
        runner.run(
            [cc, "-O2", "-o", str(binary), str(source)],
            cwd=work,
            timeout=min(COMPILE_TIMEOUT, timeout),
        ).check_ok()
        result = runner.run([str(binary), str(limit)], cwd=work, timeout=timeout).check_ok()
    return parse_output(result.stdout)


def parse_output(stdout: str) -> RawResult:
    """Read the explorer's report (``STATS`` line, then one ``V`` line per violation)."""
    stats: list[int] | None = None
    violations: list[RawViolation] = []
    memory = 0
    for line in stdout.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "STATS":
            stats = [int(f) for f in fields[1:5]]
        elif fields[0] == "MEM":
            memory = int(fields[1])
        elif fields[0] == "V":
            kind = KINDS[int(fields[1])]
            key, slot, value, length = (int(f) for f in fields[2:6])
            path = tuple(int(f) for f in fields[6 : 6 + length])
            violations.append(RawViolation(kind, key, path, slot, value))
    if stats is None:
        raise ToolError("the compiled model checker printed no STATS line")
    complete, distinct, generated, depth = stats
    return RawResult(bool(complete), distinct, generated, depth, tuple(violations), memory)


def c_source(program: Program) -> str:
    """The whole C program for ``program``."""
    layout = program.layout
    nstates = len(program.blocks_by_state_c)
    finals = [1 if code in program.final_codes else 0 for code in range(nstates)]
    parts = [
        _PRELUDE,
        f"#define NINST {max(len(program.instances), 1)}",
        f"#define NINV {program.invariant_count}",
        f"#define NGROUPS {max(len(program.groups), 1)}",
        f"#define NSLOTS {max(len(layout.ordered), 1)}",
        f"#define NCODES {nstates}",
        f"#define SMASK {layout.state_mask}ULL",
        f"#define HAS_FINALS {1 if program.final_codes else 0}",
        f"#define INITIAL {program.initial}ULL",
        "static const unsigned char is_final[NCODES] = {" + ", ".join(map(str, finals)) + "};",
        _ENGINE,
        _invariants(program),
    ]
    parts.extend(
        _expand(code, blocks, code in program.nondet_states, program)
        for code, blocks in enumerate(program.blocks_by_state_c)
    )
    parts.append(_dispatch(nstates))
    parts.append(_MAIN)
    return "\n".join(parts) + "\n"


def _invariants(program: Program) -> str:
    lines = ["static uint64_t invariants(uint64_t s) {", "    uint64_t bad = 0;", "    (void)s;"]
    for number, text in enumerate(program.invariant_exprs_c):
        lines.append(f"    if (!{text}) bad |= {1 << number}ULL;")
    lines.extend(["    return bad;", "}"])
    return "\n".join(lines)


def _expand(code: int, blocks: tuple[Block, ...], nondet: bool, program: Program) -> str:
    lines = [
        f"static int expand_{code}(uint64_t s, uint32_t pos, struct out *o) {{",
        "    (void)pos;",
    ]
    for block in blocks:
        group = program.instances[block.instance].group
        lines.append(f"    if ({block.guard}) {{")
        for temp, value in block.temps:
            lines.append(f"        int64_t {temp} = {value};")
        lines.append("        int bad = 0;")
        for temp, low, high, slot in block.checks:
            lines.append(f"        if ({temp} < {low}LL || {temp} > {high}LL) {{")
            lines.append(f"            note_bound({slot}, pos, {block.instance}, {temp}); bad = 1;")
            lines.append("        }")
        if nondet:
            lines.append(f"        o->groups[o->ngroups++] = {group};")
        lines.append("        if (!bad) {")
        lines.append(f"            o->succ[o->n++] = {block.successor};")
        lines.append("        } else { o->bounded++; }")
        lines.append("    }")
    lines.extend([f"    return {1 if nondet else 0};", "}"])
    return "\n".join(lines)


def _dispatch(nstates: int) -> str:
    cases = "\n".join(
        f"    case {code}: return expand_{code}(s, pos, o);" for code in range(nstates)
    )
    return (
        "static int expand(uint64_t s, uint32_t pos, struct out *o) {\n"
        "    switch ((unsigned)(s & SMASK)) {\n" + cases + "\n    default: return 0;\n    }\n}"
    )


_PRELUDE = """\
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
"""

_ENGINE = r"""
struct out { uint64_t succ[NINST]; int n; int bounded; int groups[NINST]; int ngroups; };

static uint64_t *states; static uint32_t *parent; static uint64_t nstates, cap;
static uint32_t *table; static uint64_t tsize, tmask;
static uint64_t generated, limit;
static int64_t first_inv[NINV > 0 ? NINV : 1];
static int64_t first_dead = -1;
static int64_t first_nd[NGROUPS];
static int64_t first_bound[NSLOTS]; static int bound_inst[NSLOTS]; static int64_t bound_val[NSLOTS];
static uint32_t *esrc, *edst; static uint64_t nedges, ecap;

static void *grow(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q) { fprintf(stderr, "out of memory\n"); exit(3); }
    return q;
}

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    x ^= x >> 31; return x;
}

static void rehash(void) {
    uint64_t i;
    free(table);
    table = calloc(tsize, sizeof(uint32_t));
    if (!table) { fprintf(stderr, "out of memory\n"); exit(3); }
    for (i = 0; i < nstates; i++) {
        uint64_t h = mix(states[i]) & tmask;
        while (table[h]) h = (h + 1) & tmask;
        table[h] = (uint32_t)(i + 1);
    }
}

/* index of s, adding it with parent `from`; -1 when adding it would pass the limit */
static int64_t add(uint64_t s, uint32_t from) {
    uint64_t h = mix(s) & tmask;
    uint32_t slot;
    while ((slot = table[h]) != 0) {
        if (states[slot - 1] == s) return (int64_t)(slot - 1);
        h = (h + 1) & tmask;
    }
    if (nstates >= limit) return -1;
    if (nstates == cap) {
        cap *= 2;
        states = grow(states, cap * sizeof(uint64_t));
        parent = grow(parent, cap * sizeof(uint32_t));
    }
    states[nstates] = s; parent[nstates] = from;
    table[h] = (uint32_t)(nstates + 1);
    nstates++;
    if (nstates * 2 > tsize) { tsize *= 2; tmask = tsize - 1; rehash(); }
    return (int64_t)(nstates - 1);
}

static void note_bound(int slot, uint32_t pos, int inst, int64_t value) {
    if (first_bound[slot] >= 0) return;
    first_bound[slot] = pos; bound_inst[slot] = inst; bound_val[slot] = value;
}

static void add_edge(uint32_t from, uint32_t to) {
    if (nedges == ecap) {
        ecap = ecap ? ecap * 2 : 1024;
        esrc = grow(esrc, ecap * sizeof(uint32_t));
        edst = grow(edst, ecap * sizeof(uint32_t));
    }
    esrc[nedges] = from; edst[nedges] = to; nedges++;
}

static void print_path(int kind, int64_t key, int64_t slot, int64_t value, uint64_t pos) {
    uint64_t n = 0, p = pos, i;
    uint64_t *path;
    while (1) { n++; if (p == 0) break; p = parent[p]; }
    path = malloc(n * sizeof(uint64_t));
    p = pos;
    for (i = n; i > 0; i--) { path[i - 1] = states[p]; p = parent[p]; }
    printf("V %d %lld %lld %lld %llu", kind, (long long)key, (long long)slot, (long long)value,
           (unsigned long long)n);
    for (i = 0; i < n; i++) printf(" %llu", (unsigned long long)path[i]);
    printf("\n");
    free(path);
}
"""

_MAIN = r"""
static int64_t cannot_finish(void) {
    uint64_t i;
    uint32_t *offset = calloc(nstates + 1, sizeof(uint32_t));
    uint32_t *incoming = malloc((nedges ? nedges : 1) * sizeof(uint32_t));
    unsigned char *done = calloc(nstates, 1);
    uint32_t *stack = malloc(nstates * sizeof(uint32_t));
    uint64_t top = 0;
    int64_t found = -1;
    if (!offset || !incoming || !done || !stack) { fprintf(stderr, "out of memory\n"); exit(3); }
    for (i = 0; i < nedges; i++) offset[edst[i] + 1]++;
    for (i = 0; i < nstates; i++) offset[i + 1] += offset[i];
    {
        uint32_t *fill = malloc((nstates + 1) * sizeof(uint32_t));
        memcpy(fill, offset, (nstates + 1) * sizeof(uint32_t));
        for (i = 0; i < nedges; i++) incoming[fill[edst[i]]++] = esrc[i];
        free(fill);
    }
    for (i = 0; i < nstates; i++)
        if (is_final[states[i] & SMASK]) { done[i] = 1; stack[top++] = (uint32_t)i; }
    while (top) {
        uint32_t t = stack[--top], k;
        for (k = offset[t]; k < offset[t + 1]; k++) {
            uint32_t src = incoming[k];
            if (!done[src]) { done[src] = 1; stack[top++] = src; }
        }
    }
    for (i = 0; i < nstates; i++) if (!done[i]) { found = (int64_t)i; break; }
    free(offset); free(incoming); free(done); free(stack);
    return found;
}

int main(int argc, char **argv) {
    uint64_t pos = 0, level_end = 1, depth = 1, i;
    int complete = 1, k;
    struct out o;
    limit = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ULL;
    cap = 1024; tsize = 2048; tmask = tsize - 1;
    states = grow(NULL, cap * sizeof(uint64_t));
    parent = grow(NULL, cap * sizeof(uint32_t));
    table = calloc(tsize, sizeof(uint32_t));
    for (k = 0; k < (NINV > 0 ? NINV : 1); k++) first_inv[k] = -1;
    for (k = 0; k < NGROUPS; k++) first_nd[k] = -1;
    for (k = 0; k < NSLOTS; k++) first_bound[k] = -1;
    generated = 1;
    add(INITIAL, 0);
    while (pos < nstates) {
        uint64_t s;
        int nondet;
        if (pos == level_end) { depth++; level_end = nstates; }
        s = states[pos];
        o.n = 0; o.bounded = 0; o.ngroups = 0;
        nondet = expand(s, (uint32_t)pos, &o);
        generated += (uint64_t)o.n;
        if (NINV > 0) {
            uint64_t bad = invariants(s);
            for (k = 0; k < NINV; k++)
                if (((bad >> k) & 1) && first_inv[k] < 0) first_inv[k] = (int64_t)pos;
        }
        if (o.n == 0 && o.bounded == 0 && !is_final[s & SMASK] && first_dead < 0)
            first_dead = (int64_t)pos;
        if (nondet) {
            int a, b;
            for (a = 0; a < o.ngroups; a++)
                for (b = a + 1; b < o.ngroups; b++)
                    if (o.groups[a] == o.groups[b] && first_nd[o.groups[a]] < 0)
                        first_nd[o.groups[a]] = (int64_t)pos;
        }
        for (k = 0; k < o.n; k++) {
            int64_t t = add(o.succ[k], (uint32_t)pos);
            if (t < 0) { complete = 0; break; }
            if (HAS_FINALS) add_edge((uint32_t)pos, (uint32_t)t);
        }
        if (!complete) break;
        pos++;
    }
    printf("STATS %d %llu %llu %llu\n", complete, (unsigned long long)nstates,
           (unsigned long long)generated, (unsigned long long)depth);
    printf("MEM %llu\n", (unsigned long long)(cap * (sizeof(uint64_t) + sizeof(uint32_t))
           + tsize * sizeof(uint32_t) + ecap * 2 * sizeof(uint32_t)));
    for (k = 0; k < NINV; k++) if (first_inv[k] >= 0) print_path(0, k, -1, 0, first_inv[k]);
    if (first_dead >= 0) print_path(1, 0, -1, 0, first_dead);
    for (k = 0; k < NGROUPS; k++) if (first_nd[k] >= 0) print_path(2, k, -1, 0, first_nd[k]);
    for (k = 0; k < NSLOTS; k++)
        if (first_bound[k] >= 0) print_path(3, bound_inst[k], k, bound_val[k], first_bound[k]);
    if (HAS_FINALS && complete) {
        int64_t stuck = cannot_finish();
        if (stuck >= 0) print_path(4, 0, -1, 0, stuck);
    }
    (void)i;
    return 0;
}
"""
