/* Connection lifecycle of N clients (1..6) sharing a server with capacity 3, in Promela,
 * mirroring lifecycle.sm.yaml:
 *   spin -DN=5 -a lifecycle.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan
 * One process, one d_step per action and client, so SPIN stores one state per model state.
 * The control state is the variable `phase`; in `stopped` nothing is enabled, which the
 * `end` label makes a valid end state (it is final in the aces model). */
#ifndef N
#define N 5
#endif

#define IDLE 0
#define CONNECTING 1
#define OPEN 2
#define CLOSING 3
#define SERVING 0
#define STOPPED 1

byte phase;
byte conn[6];
byte retries[6];
byte nactive;

#define BUSY(i) (i < N && (conn[i] == OPEN || conn[i] == CLOSING))
#define COUNTED assert(nactive == BUSY(0) + BUSY(1) + BUSY(2) + BUSY(3) + BUSY(4) + BUSY(5))
#define IDLE_(i) (i >= N || conn[i] == IDLE)

#define Connect(i) :: d_step { phase == SERVING && i < N && conn[i] == IDLE -> \
    conn[i] = CONNECTING; COUNTED }
#define Established(i) :: d_step { phase == SERVING && i < N && conn[i] == CONNECTING && \
    nactive < 3 -> conn[i] = OPEN; nactive++; COUNTED }
#define Fail(i) :: d_step { phase == SERVING && i < N && conn[i] == CONNECTING && \
    retries[i] < 2 -> conn[i] = IDLE; retries[i]++; COUNTED }
#define Giveup(i) :: d_step { phase == SERVING && i < N && conn[i] == CONNECTING && \
    retries[i] == 2 -> conn[i] = IDLE; retries[i] = 0; COUNTED }
#define Close(i) :: d_step { phase == SERVING && i < N && conn[i] == OPEN -> \
    conn[i] = CLOSING; COUNTED }
#define Closed(i) :: d_step { phase == SERVING && i < N && conn[i] == CLOSING -> \
    conn[i] = IDLE; nactive--; COUNTED }

#define FOR_EACH_CLIENT(action) action(0) action(1) action(2) action(3) action(4) action(5)

active proctype Lifecycle() {
end:
    do
    FOR_EACH_CLIENT(Connect)
    FOR_EACH_CLIENT(Established)
    FOR_EACH_CLIENT(Fail)
    FOR_EACH_CLIENT(Giveup)
    FOR_EACH_CLIENT(Close)
    FOR_EACH_CLIENT(Closed)
    :: d_step { phase == SERVING && IDLE_(0) && IDLE_(1) && IDLE_(2) && IDLE_(3) && IDLE_(4) &&
                IDLE_(5) -> phase = STOPPED; COUNTED }
    od
}
