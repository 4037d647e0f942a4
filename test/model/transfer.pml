/*
 * jetsaga: the transfer saga (transfer, bank-a, bank-b: try / confirm / cancel) as a Promela
 * model. Issue 17 (the transfer saga gets the order saga's treatment), issue 16 (the saga).
 * See docs/model.md; run it with node --import tsx test/model/run-spin.ts --saga transfer.
 *
 * Every rule below names the decide function it follows (services/bank/src/decide.ts,
 * services/transfer/src/decide.ts) and the case of the service's router that calls it
 * (react.ts). The broker, crashes, the relay and the inbox are modelled as in saga.pml: every
 * durable consumer is a multiset of pending deliveries pend[IX(consumer, transfer)], taken in
 * any order, kept until acked; a crash between commit and ack (budget MAXCRASH) brings a
 * message back, the inbox drops it; the relay may publish a step's outbox rows twice (budget
 * MAXDUP).
 *
 * Two transfers of amount 1, both from a:alice (who deposited DEP_ALICE): t0 to b:bob, t1 to
 * DST1: 1 = b:bob (default), 2 = a:carol (same bank as the source), 3 = b:nobody (no such
 * account: CreditRefused). bob and carol deposited 1 each.
 *
 * Every bank consumes every transfer's events (bank-<id>-TransferRequested, -FundsFrozen,
 * -TransferConfirmed, -TransferFailed). A bank that is neither the transfer's source nor its
 * destination has no rows for it and its router returns nothing for each of them (no
 * mismatch without rows), so those deliveries are left out: each event goes to the consumers
 * of the banks it concerns (a same-bank transfer's TransferConfirmed / TransferFailed to one).
 *
 * Compile-time switches (spin -D...):
 *   DEP_ALICE        alice's deposit (default 1: money for one of the two transfers)
 *   DST1             t1's destination account (see above)
 *   MAXCRASH, MAXDUP crash-before-ack and relay re-publish budgets (whole run)
 *   LIVENESS         build for pan -a -f -N live (no assertions; quiescence idles)
 *   BROKEN_TOMBSTONE        the source bank ignores its CANCELLED freeze (decideFreeze freezes after a cancel)
 *   BROKEN_CREDIT_TOMBSTONE the destination bank ignores its CANCELLED credit (decidePrepareCredit)
 *   BROKEN_FAILED_CONFIRM   transfer's decideTryHeld without its PENDING check (a FAILED transfer confirms)
 */

#ifndef DEP_ALICE
#define DEP_ALICE 1
#endif
#ifndef DST1
#define DST1 1
#endif
#ifndef MAXCRASH
#define MAXCRASH 1
#endif
#ifndef MAXDUP
#define MAXDUP 1
#endif

#define NTR 2
#define AMT 1   /* the invariants below assume 1 */
/* accounts: 0 a:alice, 1 b:bob, 2 a:carol, 3 b:nobody (never opened) */
#define NACC 4
#define DEP(a) (((a) == 0) * DEP_ALICE + ((a) == 1 || (a) == 2))
#define OPEN(a) ((a) != 3)
#define BANK(a) ((a) == 1 || (a) == 3)
/* no conditional expressions in macros: they go into ltl formulas too */
#define SRCA(t) 0
#define DSTA(t) (((t) == 0) * 1 + ((t) == 1) * DST1)
#define SRCB(t) BANK(SRCA(t))
#define DSTB(t) BANK(DSTA(t))

/* TransferStatus (transfer/src/schema.ts); T_NONE: no row */
#define T_NONE 0
#define T_PENDING 1
#define T_CONFIRMED 2
#define T_COMPLETED 3
#define T_FAILED 4
/* FreezeStatus (bank/src/schema.ts) */
#define F_NONE 0
#define F_FROZEN 1
#define F_REFUSED 2
#define F_DEBITED 3
#define F_RELEASED 4
#define F_CANCELLED 5
/* CreditStatus */
#define K_NONE 0
#define K_PENDING 1
#define K_REFUSED 2
#define K_CREDITED 3
#define K_DROPPED 4
#define K_CANCELLED 5

/* Consumers: transfer's (service.ts: transferMessages), then 4 per bank (bankMessages less Deposit) */
#define C_TR_REQ 0   /* transfer-RequestTransfer (command) */
#define C_TR_FF 1    /* transfer-FundsFrozen */
#define C_TR_FR 2    /* transfer-FreezeRefused */
#define C_TR_CP 3    /* transfer-CreditPrepared */
#define C_TR_CR 4    /* transfer-CreditRefused */
#define C_TR_FC 5    /* transfer-FreezeConfirmed */
#define C_TR_CC 6    /* transfer-CreditConfirmed */
#define B_TR 0       /* bank-<id>-TransferRequested */
#define B_FF 1       /* bank-<id>-FundsFrozen */
#define B_TC 2       /* bank-<id>-TransferConfirmed */
#define B_TF 3       /* bank-<id>-TransferFailed */
#define CB(b, k) (7 + (b) * 4 + (k))
#define NCONS 15
#define IX(c, t) ((c) * NTR + (t))

mtype = { transfer, bank_a, bank_b,
          RequestTransfer, TransferRequested, FundsFrozen, FreezeRefused, CreditPrepared, CreditRefused,
          TransferConfirmed, TransferFailed, FreezeConfirmed, CreditConfirmed, TransferDeadline,
          /* invariant names */
          no_account_below_zero, accounts_match_tries, money_conserved, failed_never_completed,
          completed_is_debited_and_credited, no_fact_mismatch,
          every_transfer_terminal, no_freeze_left_behind, no_pending_credit_left_behind };

/* ---- state ---------------------------------------------------------------------------- */

/* transfer */
byte tst[NTR];
bit frozenSeen[NTR];       /* Transfer.frozen: the source's FundsFrozen arrived */
bit creditSeen[NTR];       /* Transfer.creditPrepared */
bit freezeDone[NTR];       /* Transfer.freezeConfirmed */
bit creditDone[NTR];       /* Transfer.creditConfirmed */
bit deadline[NTR];         /* TransferDeadline armed */
/* banks: the freeze lives at the source bank, the credit at the destination bank */
byte fst[NTR];
byte cst[NTR];
short bal[NACC];
short frz[NACC];
short pnd[NACC];
short sent[NACC];
short recv[NACC];
bit mismatch = 0;          /* a router returned a mismatch (the code dead-letters the message) */
bit ready = 0;             /* the deposits are made (the first step): the ltl safety claim holds from then on */
/* broker */
byte pend[NCONS * NTR];
bit inbox[NCONS * NTR];
byte crashes = 0;
byte dups = 0;
bit dupNow = 0;

/* ---- invariants ------------------------------------------------------------------------ */

#define SUMT(F) (F(0) + F(1))
#define ALLT(P) (P(0) && P(1))
#define SUMA(F) (F(0) + F(1) + F(2) + F(3))
#define ALLA(P) (P(0) && P(1) && P(2) && P(3))

#define NONNEG(a) (bal[a] >= 0 && frz[a] >= 0 && pnd[a] >= 0)
/* TO_<t>_<a>: transfer t's destination is account a (compile-time 0/1, so the ltl text stays short) */
#define TO_0_1 1
#define TO_0_2 0
#define TO_0_3 0
#define TO_1_1 (DST1 == 1)
#define TO_1_2 (DST1 == 2)
#define TO_1_3 (DST1 == 3)
#define DEP_1 1
#define DEP_2 1
#define DEP_3 0
/* invariants.ts bankViolations, per account: frozen / pending are its FROZEN freezes / PENDING
   credits, sent / received its DEBITED freezes / CREDITED credits, balance + frozen ==
   deposited + received - sent. alice (0) is only ever a source, 1..3 only destinations. */
#define ACC_SRC (frz[0] == (fst[0] == F_FROZEN) + (fst[1] == F_FROZEN) && sent[0] == (fst[0] == F_DEBITED) + (fst[1] == F_DEBITED) && \
                 pnd[0] == 0 && recv[0] == 0 && bal[0] + frz[0] == DEP_ALICE - sent[0])
#define ACC_DST(a) (frz[a] == 0 && sent[a] == 0 && pnd[a] == TO_0_ ## a * (cst[0] == K_PENDING) + TO_1_ ## a * (cst[1] == K_PENDING) && \
                    recv[a] == TO_0_ ## a * (cst[0] == K_CREDITED) + TO_1_ ## a * (cst[1] == K_CREDITED) && bal[a] == DEP_ ## a + recv[a])
#define ACC_OK (ACC_SRC && ACC_DST(1) && ACC_DST(2) && ACC_DST(3))
/* invariants.ts inFlight: what balances + frozen + pending count twice of a transfer on its way */
#define INFLIGHT(t) ((cst[t] == K_PENDING && fst[t] != F_DEBITED) || (cst[t] == K_CREDITED && fst[t] == F_FROZEN))
#define HOLD(a) (bal[a] + frz[a] + pnd[a])
/* money across banks (AMT = 1): balances + frozen + pending - in flight == deposits */
#define MONEY_OK (SUMA(HOLD) - SUMT(INFLIGHT) == DEP_ALICE + 2)
#define NOT_BOTH(t) (tst[t] != T_FAILED || (fst[t] != F_DEBITED && cst[t] != K_CREDITED))
/* completed: debited and credited; debited at the source: the credit is pending or credited (invariants.ts) */
#define COMPLETED_OK(t) ((tst[t] != T_COMPLETED || (fst[t] == F_DEBITED && cst[t] == K_CREDITED)) && \
                         (fst[t] != F_DEBITED || cst[t] == K_PENDING || cst[t] == K_CREDITED))
#define SAFE (!ready || ALLA(NONNEG) && ACC_OK && MONEY_OK && ALLT(NOT_BOTH) && ALLT(COMPLETED_OK) && !mismatch)

#define TERMINAL(t) (tst[t] == T_COMPLETED || tst[t] == T_FAILED)
#define NO_FREEZE_LEFT(t) (!TERMINAL(t) || fst[t] != F_FROZEN)
#define NO_PENDING_LEFT(t) (!TERMINAL(t) || cst[t] != K_PENDING)
#define SETTLED_T(t) (TERMINAL(t) && NO_FREEZE_LEFT(t) && NO_PENDING_LEFT(t))
#define SETTLED ALLT(SETTLED_T)

#define CHECK(name, cond) if :: !(cond) -> printf("@violation %e\n", name); assert(cond) :: else -> skip fi

#ifdef LIVENESS
inline check() { skip }
#else
inline check() {
  CHECK(no_account_below_zero, ALLA(NONNEG));
  CHECK(accounts_match_tries, ACC_OK);
  CHECK(money_conserved, MONEY_OK);
  CHECK(failed_never_completed, ALLT(NOT_BOTH));
  CHECK(completed_is_debited_and_credited, ALLT(COMPLETED_OK));
  CHECK(no_fact_mismatch, !mismatch)
}
#endif

/* ---- broker (as in saga.pml) ------------------------------------------------------------ */

#define PICK(c) if :: pend[IX(c, 0)] > 0 -> t = 0 :: pend[IX(c, 1)] > 0 -> t = 1 fi
#define PICKT(a) if :: a[0] -> t = 0 :: a[1] -> t = 1 fi

inline chooseDup() {
  if
  :: dups < MAXDUP -> dupNow = 1
  :: true -> skip
  fi
}
/* one outbox row to consumer c1 (and c2, c3 when they differ from -1) */
inline publish(type, c1, c2, t) {
  pend[IX(c1, t)]++;
  if :: c2 >= 0 -> pend[IX(c2, t)]++ :: else -> skip fi;
  if
  :: dupNow -> dups++; pend[IX(c1, t)]++;
     if :: c2 >= 0 -> pend[IX(c2, t)]++ :: else -> skip fi;
     printf("@dup %e %d\n", type, t)
  :: else -> skip
  fi
}
inline ackOrCrash(c, svc, type) {
  if
  :: pend[IX(c, t)]--
  :: crashes < MAXCRASH -> crashes++; printf("@crash %e %e %d\n", svc, type, t)
  fi
}
#define CONSUME(c, svc, type, RULE) \
  atomic { PICK(c) -> \
    if \
    :: inbox[IX(c, t)] -> pend[IX(c, t)]-- \
    :: else -> \
      chooseDup(); \
      d_step { inbox[IX(c, t)] = 1; printf("@step %e %e %d\n", svc, type, t); RULE; check(); dupNow = 0 }; \
      ackOrCrash(c, svc, type) \
    fi; \
    t = 0 }

/* a TransferConfirmed / TransferFailed row: to the source bank's consumer and, for another bank, the destination's */
#define TO_BANKS(type, k, t) \
  if \
  :: SRCB(t) == DSTB(t) -> publish(type, CB(SRCB(t), k), -1, t) \
  :: else -> publish(type, CB(SRCB(t), k), CB(DSTB(t), k), t) \
  fi

/* ---- transfer (services/transfer/src) --------------------------------------------------- */

/* decideRequest (router: RequestTransfer): an existing transfer starts nothing; else PENDING,
   the TransferDeadline armed, TransferRequested (to the source bank). */
inline decideRequest(t) {
  if
  :: tst[t] == T_NONE -> tst[t] = T_PENDING; deadline[t] = 1; publish(TransferRequested, CB(SRCB(t), B_TR), -1, t)
  :: else -> skip
  fi
}

#ifdef BROKEN_FAILED_CONFIRM
#define HELD_GUARD(t) (tst[t] == T_PENDING || tst[t] == T_FAILED)
#else
#define HELD_GUARD(t) (tst[t] == T_PENDING)
#endif
/* decideTryHeld (router: FundsFrozen -> end source, CreditPrepared -> end destination): only
   a PENDING transfer; the end's flag; once both held, CONFIRMED, TransferConfirmed (to both
   banks), the deadline disarmed. A flag already set: nothing. */
inline decideTryHeld(t, src) {
  if
  :: HELD_GUARD(t) && ((src && !frozenSeen[t]) || (!src && !creditSeen[t])) ->
    if :: src -> frozenSeen[t] = 1 :: else -> creditSeen[t] = 1 fi;
    if
    :: frozenSeen[t] && creditSeen[t] -> tst[t] = T_CONFIRMED; deadline[t] = 0; TO_BANKS(TransferConfirmed, B_TC, t)
    :: else -> skip
    fi
  :: else -> skip
  fi
}

/* decideFail (router: FreezeRefused, CreditRefused, timer TransferDeadline): only a PENDING
   transfer fails; TransferFailed (to both banks), the deadline disarmed. */
inline decideFail(t) {
  if
  :: tst[t] == T_PENDING -> tst[t] = T_FAILED; deadline[t] = 0; TO_BANKS(TransferFailed, B_TF, t)
  :: else -> skip
  fi
}

/* decideConfirmed (router: FreezeConfirmed -> source, CreditConfirmed -> destination): only a
   CONFIRMED transfer; once both ends confirmed, COMPLETED (TransferCompleted: no consumer here). */
inline decideConfirmed(t, src) {
  if
  :: tst[t] == T_CONFIRMED && ((src && !freezeDone[t]) || (!src && !creditDone[t])) ->
    if :: src -> freezeDone[t] = 1 :: else -> creditDone[t] = 1 fi;
    if
    :: freezeDone[t] && creditDone[t] -> tst[t] = T_COMPLETED
    :: else -> skip
    fi
  :: else -> skip
  fi
}

active proctype Transfer() {
  byte t;
  /* the client sends one RequestTransfer per transfer */
  d_step { pend[IX(C_TR_REQ, 0)] = 1; pend[IX(C_TR_REQ, 1)] = 1;
           bal[0] = DEP(0); bal[1] = DEP(1); bal[2] = DEP(2); bal[3] = DEP(3); ready = 1 };
  atomic { run Bank(0); run Bank(1) };
end:
  do
  :: CONSUME(C_TR_REQ, transfer, RequestTransfer, decideRequest(t))
  :: CONSUME(C_TR_FF, transfer, FundsFrozen, decideTryHeld(t, 1))
  :: CONSUME(C_TR_CP, transfer, CreditPrepared, decideTryHeld(t, 0))
  :: CONSUME(C_TR_FR, transfer, FreezeRefused, decideFail(t))
  :: CONSUME(C_TR_CR, transfer, CreditRefused, decideFail(t))
  :: CONSUME(C_TR_FC, transfer, FreezeConfirmed, decideConfirmed(t, 1))
  :: CONSUME(C_TR_CC, transfer, CreditConfirmed, decideConfirmed(t, 0))
  /* the TransferDeadline fires at any point while armed (marked fired in its commit) */
  :: atomic { PICKT(deadline) -> chooseDup();
              d_step { deadline[t] = 0; printf("@step %e %e %d\n", transfer, TransferDeadline, t); decideFail(t); check(); dupNow = 0 };
              t = 0 }
  od
}

/* ---- banks (services/bank/src; one process per bank, `me` is its BANK_ID) -------------- */

#ifdef BROKEN_TOMBSTONE
#define HAS_FREEZE(t) (fst[t] != F_NONE && fst[t] != F_CANCELLED)
#else
#define HAS_FREEZE(t) (fst[t] != F_NONE)
#endif
#ifdef BROKEN_CREDIT_TOMBSTONE
#define HAS_CREDIT(t) (cst[t] != K_NONE && cst[t] != K_CANCELLED)
#else
#define HAS_CREDIT(t) (cst[t] != K_NONE)
#endif

/* decideFreeze (router: TransferRequested, at the source bank): a freeze row of any status
   (a CANCELLED tombstone too) makes it a no-op; a balance short of the amount is REFUSED with
   FreezeRefused (insufficient_funds); else balance -> frozen, FROZEN, FundsFrozen (to transfer
   and the destination bank). */
inline decideFreeze(t) {
  if
  :: HAS_FREEZE(t) -> skip
  :: else ->
    if
    :: bal[SRCA(t)] < AMT -> fst[t] = F_REFUSED; publish(FreezeRefused, C_TR_FR, -1, t)
    :: else ->
      bal[SRCA(t)] = bal[SRCA(t)] - AMT; frz[SRCA(t)] = frz[SRCA(t)] + AMT; fst[t] = F_FROZEN;
      publish(FundsFrozen, C_TR_FF, CB(DSTB(t), B_FF), t)
    fi
  fi
}

/* decidePrepareCredit (router: FundsFrozen, at the destination bank; the producer is the
   source bank): a credit row of any status (a CANCELLED tombstone too) makes it a no-op; an
   unknown account is REFUSED with CreditRefused (unknown_account); else a PENDING credit
   (pending += amount), CreditPrepared. (balance_limit: the same path as unknown_account.) */
inline decidePrepareCredit(t) {
  if
  :: HAS_CREDIT(t) -> skip
  :: else ->
    if
    :: !OPEN(DSTA(t)) -> cst[t] = K_REFUSED; publish(CreditRefused, C_TR_CR, -1, t)
    :: else -> pnd[DSTA(t)] = pnd[DSTA(t)] + AMT; cst[t] = K_PENDING; publish(CreditPrepared, C_TR_CP, -1, t)
    fi
  fi
}

/* decideConfirm (router: TransferConfirmed): at the source a FROZEN freeze is DEBITED (frozen
   -> sent) with FreezeConfirmed, DEBITED is nothing, anything else is a mismatch; at the
   destination a PENDING credit is CREDITED (pending -> balance) with CreditConfirmed, CREDITED
   is nothing, anything else a mismatch. A mismatch dead-letters the message: nothing changes. */
inline decideConfirm(t, me) {
  if
  :: (SRCB(t) == me && fst[t] != F_FROZEN && fst[t] != F_DEBITED) ||
     (DSTB(t) == me && cst[t] != K_PENDING && cst[t] != K_CREDITED) -> mismatch = 1
  :: else ->
    if
    :: SRCB(t) == me && fst[t] == F_FROZEN ->
      frz[SRCA(t)] = frz[SRCA(t)] - AMT; sent[SRCA(t)] = sent[SRCA(t)] + AMT; fst[t] = F_DEBITED;
      publish(FreezeConfirmed, C_TR_FC, -1, t)
    :: else -> skip
    fi;
    if
    :: DSTB(t) == me && cst[t] == K_PENDING ->
      pnd[DSTA(t)] = pnd[DSTA(t)] - AMT; bal[DSTA(t)] = bal[DSTA(t)] + AMT; recv[DSTA(t)] = recv[DSTA(t)] + AMT;
      cst[t] = K_CREDITED;
      publish(CreditConfirmed, C_TR_CC, -1, t)
    :: else -> skip
    fi
  fi
}

/* decideCancel (router: TransferFailed): at the source no freeze yet leaves the CANCELLED
   tombstone, FROZEN goes back to the balance (RELEASED, FreezeReleased: no consumer), DEBITED
   is a mismatch; at the destination no credit leaves the CANCELLED tombstone, PENDING is
   DROPPED (CreditDropped: no consumer), CREDITED a mismatch; anything else is nothing. */
inline decideCancel(t, me) {
  if
  :: (SRCB(t) == me && fst[t] == F_DEBITED) || (DSTB(t) == me && cst[t] == K_CREDITED) -> mismatch = 1
  :: else ->
    if
    :: SRCB(t) == me && fst[t] == F_NONE -> fst[t] = F_CANCELLED
    :: SRCB(t) == me && fst[t] == F_FROZEN ->
      frz[SRCA(t)] = frz[SRCA(t)] - AMT; bal[SRCA(t)] = bal[SRCA(t)] + AMT; fst[t] = F_RELEASED
    :: else -> skip
    fi;
    if
    :: DSTB(t) == me && cst[t] == K_NONE -> cst[t] = K_CANCELLED
    :: DSTB(t) == me && cst[t] == K_PENDING -> pnd[DSTA(t)] = pnd[DSTA(t)] - AMT; cst[t] = K_DROPPED
    :: else -> skip
    fi
  fi
}

proctype Bank(byte me) {
  byte t;
  mtype svc = bank_a;
  if :: me == 1 -> svc = bank_b :: else -> skip fi;
end:
  do
  :: CONSUME(CB(me, B_TR), svc, TransferRequested, decideFreeze(t))
  :: CONSUME(CB(me, B_FF), svc, FundsFrozen, decidePrepareCredit(t))
  :: CONSUME(CB(me, B_TC), svc, TransferConfirmed, decideConfirm(t, me))
  :: CONSUME(CB(me, B_TF), svc, TransferFailed, decideCancel(t, me))
  od
}

/* ---- the run ----------------------------------------------------------------------------- */

active proctype Quiescence() {
#ifdef LIVENESS
  bit idle;
  timeout -> do :: idle = 1 - idle od
#else
  timeout ->
    CHECK(every_transfer_terminal, ALLT(TERMINAL));
    CHECK(no_freeze_left_behind, ALLT(NO_FREEZE_LEFT));
    CHECK(no_pending_credit_left_behind, ALLT(NO_PENDING_LEFT))
#endif
}

ltl safety { [] SAFE }
ltl live { <> [] SETTLED }
