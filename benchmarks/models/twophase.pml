/* TwoPhase commit (the TLA+ examples' TwoPhase.tla) in Promela, for state-count and speed
 * comparison with the aces model checker (twophase.sm.yaml). N resource managers, 1..8:
 *   spin -DN=8 -a twophase.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan
 * One process; every TLA+ action (per resource manager) is one d_step, so SPIN stores one
 * state per TLA+ state: the process counter is always back at the loop head. Arrays are
 * sized 8; elements past N never change, so they add no states. The invariant is asserted
 * at the end of every step (the initial state satisfies it). */
#ifndef N
#define N 3
#endif

#define WORKING 0
#define PREPARED 1
#define COMMITTED 2
#define ABORTED 3
#define TM_INIT 0
#define TM_COMMITTED 1
#define TM_ABORTED 2

byte rmState[8];
byte tmState;
bool tmPrepared[8];
bool msgPrepared[8];
bool msgCommit;
bool msgAbort;

#define OK(i) (i >= N || !(rmState[i] == ABORTED))
#define NONE_COMMITTED (rmState[0] != COMMITTED && rmState[1] != COMMITTED && \
    rmState[2] != COMMITTED && rmState[3] != COMMITTED && rmState[4] != COMMITTED && \
    rmState[5] != COMMITTED && rmState[6] != COMMITTED && rmState[7] != COMMITTED)
#define NONE_ABORTED (rmState[0] != ABORTED && rmState[1] != ABORTED && \
    rmState[2] != ABORTED && rmState[3] != ABORTED && rmState[4] != ABORTED && \
    rmState[5] != ABORTED && rmState[6] != ABORTED && rmState[7] != ABORTED)
#define CONSISTENT assert(NONE_COMMITTED || NONE_ABORTED)

#define PREP(i) (i >= N || tmPrepared[i])
#define ALL_PREPARED (PREP(0) && PREP(1) && PREP(2) && PREP(3) && PREP(4) && PREP(5) && \
    PREP(6) && PREP(7))

#define TMRcvPrepared(i) :: d_step { i < N && tmState == TM_INIT && msgPrepared[i] -> \
    tmPrepared[i] = true; CONSISTENT }
#define RMPrepare(i) :: d_step { i < N && rmState[i] == WORKING -> \
    rmState[i] = PREPARED; msgPrepared[i] = true; CONSISTENT }
#define RMChooseToAbort(i) :: d_step { i < N && rmState[i] == WORKING -> \
    rmState[i] = ABORTED; CONSISTENT }
#define RMRcvCommitMsg(i) :: d_step { i < N && msgCommit -> rmState[i] = COMMITTED; CONSISTENT }
#define RMRcvAbortMsg(i) :: d_step { i < N && msgAbort -> rmState[i] = ABORTED; CONSISTENT }

#define FOR_EACH_RM(action) action(0) action(1) action(2) action(3) action(4) action(5) \
    action(6) action(7)

active proctype TwoPhase() {
end:
    do
    FOR_EACH_RM(TMRcvPrepared)
    :: d_step { tmState == TM_INIT && ALL_PREPARED ->
                tmState = TM_COMMITTED; msgCommit = true; CONSISTENT }
    :: d_step { tmState == TM_INIT -> tmState = TM_ABORTED; msgAbort = true; CONSISTENT }
    FOR_EACH_RM(RMPrepare)
    FOR_EACH_RM(RMChooseToAbort)
    FOR_EACH_RM(RMRcvCommitMsg)
    FOR_EACH_RM(RMRcvAbortMsg)
    od
}
