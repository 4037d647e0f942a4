/*
 * jetsaga: inventory as partitions (docs/partitions.md, issue 19) as a Promela model. One
 * order whose skus live in two inventory partitions, p0 and p1; p1 owns the order id, so it
 * decides. Run it with node --import tsx test/model/run-spin.ts --saga parts.
 *
 * Every rule names the function it follows: services/inventory/src/parts.ts
 * (decideReservePart, decidePartAnswer), decide.ts (decideRelease, decideCancellation,
 * decideCommit) and the cases of react.ts; order's cancel and confirm rules
 * (services/order/src/decide.ts). Each consumer is one pending flag per message: the broker
 * delivers to every consumer on its own, in any order; the inbox drops a redelivery, so a
 * message is applied once per consumer and duplicates add no behaviour here (saga.pml models
 * them for the order saga).
 *
 * Compile-time switches (spin -D...):
 *   STOCK0, STOCK1   1: the partition can hold its skus, 0: it is short (default 1, 1)
 *   WALLET           1: payment captures, 0: PaymentFailed (default 1)
 *   KEPT             kept holds on (JETSAGA_STOCK_RELEASE_DELAY_MS > 0)
 *   LIVENESS         build for pan -a -f -N live (no assertions; quiescence idles)
 *   BROKEN_KEEP_ON_REFUSAL  a partition keeps its hold on a refusal's OrderCancelled (react.ts)
 *   BROKEN_DECIDE_EARLY     the deciding partition answers on the first held part (decidePartAnswer)
 */

#ifndef STOCK0
#define STOCK0 1
#endif
#ifndef STOCK1
#define STOCK1 1
#endif
#ifndef WALLET
#define WALLET 1
#endif

#define NP 2
#define STOCK(p) (((p) == 0) * STOCK0 + ((p) == 1) * STOCK1)

/* ReservationStatus (inventory/src/decide.ts); R_NONE: no row */
#define R_NONE 0
#define R_HELD 1
#define R_REJECTED 2
#define R_RELEASED 3
#define R_COMMITTED 4
#define R_RELEASING 5
#define R_TOMB 6
/* OrderStatus */
#define O_PENDING 0
#define O_CONFIRMED 1
#define O_CANCELLED 2
/* why order cancelled */
#define C_NONE 0
#define C_REFUSED 1
#define C_PAYMENT 2
#define C_TIMEOUT 3
/* a part's answer at the deciding partition */
#define A_NONE 0
#define A_HELD 1
#define A_REFUSED 2

mtype = { inventory_p0, inventory_p1, order, payment,
          OrderCreated, StockPartHeld, StockPartRefused, StockReserved, StockReservationFailed,
          PaymentSucceeded, PaymentFailed, OrderConfirmed, OrderCancelled, OrderDeadline, ReleaseHold,
          no_partial_hold_after_refusal, decided_once, reserved_only_when_all_held,
          confirmed_is_committed_everywhere, cancelled_holds_nothing, order_terminal };

byte rst[NP];        /* each partition's reservation of the order */
byte ans[NP];        /* the deciding partition's kept answers (reservation_parts) */
byte decisions;      /* StockReserved + StockReservationFailed emitted */
byte ost = O_PENDING;
byte creason = C_NONE;

/* pending deliveries, one per consumer */
bit oc[NP];          /* inventory-p<i>-OrderCreated */
byte pa[NP];         /* inventory-p1-StockPartHeld / -StockPartRefused, from part i: A_HELD or A_REFUSED */
bit srPay;           /* payment-StockReserved */
bit sfOrder;         /* order-StockReservationFailed */
bit psOrder;         /* order-PaymentSucceeded */
bit pfOrder;         /* order-PaymentFailed */
bit pf[NP];          /* inventory-p<i>-PaymentFailed */
bit ocf[NP];         /* inventory-p<i>-OrderConfirmed */
bit ocn[NP];         /* inventory-p<i>-OrderCancelled (reason: creason) */
bit timer[NP];       /* ReleaseHold armed at partition i */
bit deadlineArmed = 1;

#define PID(p) (((p) == 0) * inventory_p0 + ((p) == 1) * inventory_p1)

inline violated(name) { printf("@violation %e\n", name); assert(false) }

/* decideRelease: a HELD or kept hold goes back; none yet leaves a tombstone (the barrier) */
inline release(p) {
  if
  :: rst[p] == R_NONE -> rst[p] = R_TOMB
  :: rst[p] == R_HELD || rst[p] == R_RELEASING -> rst[p] = R_RELEASED
  :: else -> skip
  fi
}

/* decideCancellation: a HELD reservation is kept (RELEASING, timer) with kept holds on, else released */
inline cancellation(p) {
  if
  :: rst[p] == R_RELEASING -> skip
#ifdef KEPT
  :: rst[p] == R_HELD -> rst[p] = R_RELEASING; timer[p] = 1
  :: rst[p] != R_HELD && rst[p] != R_RELEASING -> release(p)
#else
  :: rst[p] != R_RELEASING -> release(p)
#endif
  fi
}

inline cancelOrder(why) {
  ost = O_CANCELLED; creason = why; ocn[0] = 1; ocn[1] = 1
}

active proctype world() {
  byte from, q;
  bit idle;
  oc[0] = 1; oc[1] = 1;   /* order's OrderCreated: every inventory partition takes it */
  do
  /* decideReservePart: the order spans both partitions, so each holds its own lines or refuses */
  :: atomic { oc[0] -> oc[0] = 0; printf("@step %e OrderCreated 0\n", PID(0));
       if
       :: rst[0] == R_NONE && STOCK(0) -> rst[0] = R_HELD; pa[0] = A_HELD
       :: rst[0] == R_NONE && !STOCK(0) -> rst[0] = R_REJECTED; pa[0] = A_REFUSED
       :: else -> skip
       fi }
  :: atomic { oc[1] -> oc[1] = 0; printf("@step %e OrderCreated 0\n", PID(1));
       if
       :: rst[1] == R_NONE && STOCK(1) -> rst[1] = R_HELD; pa[1] = A_HELD
       :: rst[1] == R_NONE && !STOCK(1) -> rst[1] = R_REJECTED; pa[1] = A_REFUSED
       :: else -> skip
       fi }
  /* decidePartAnswer at p1 (it owns the order id) */
  :: atomic { (pa[0] != A_NONE || pa[1] != A_NONE) ->
       if
       :: pa[0] != A_NONE -> from = 0
       :: pa[1] != A_NONE -> from = 1
       fi;
       if
       :: pa[from] == A_HELD -> printf("@step %e StockPartHeld 0\n", PID(1))
       :: else -> printf("@step %e StockPartRefused 0\n", PID(1))
       fi;
       if
       :: ans[from] == A_NONE ->
            ans[from] = pa[from];
#ifdef BROKEN_DECIDE_EARLY
            if
            :: decisions == 0 && ans[from] == A_HELD -> decisions++; srPay = 1
            :: decisions == 0 && ans[from] == A_REFUSED -> decisions++; sfOrder = 1
            :: else -> skip
            fi
#else
            if
            :: ans[0] != A_NONE && ans[1] != A_NONE ->
                 decisions++;
                 if
                 :: ans[0] == A_HELD && ans[1] == A_HELD ->
                      if
                      :: !((rst[0] == R_HELD && rst[1] == R_HELD) || ost == O_CANCELLED) -> violated(reserved_only_when_all_held)
                      :: else -> skip
                      fi;
                      srPay = 1
                 :: else -> sfOrder = 1
                 fi
            :: else -> skip
            fi
#endif
       :: else -> skip
       fi;
       pa[from] = A_NONE;
       if
       :: decisions > 1 -> violated(decided_once)
       :: else -> skip
       fi }
  /* payment: decideCharge */
  :: atomic { srPay -> srPay = 0; printf("@step %e StockReserved 0\n", payment);
       if
       :: WALLET -> psOrder = 1
       :: !WALLET -> pfOrder = 1; pf[0] = 1; pf[1] = 1
       fi }
  /* order */
  :: atomic { psOrder -> psOrder = 0; printf("@step %e PaymentSucceeded 0\n", order);
       if
       :: ost == O_PENDING -> ost = O_CONFIRMED; ocf[0] = 1; ocf[1] = 1
       :: else -> skip   /* payment refunds a late charge on OrderCancelled */
       fi }
  :: atomic { pfOrder -> pfOrder = 0; printf("@step %e PaymentFailed 0\n", order);
       if :: ost == O_PENDING -> cancelOrder(C_PAYMENT) :: else -> skip fi }
  :: atomic { sfOrder -> sfOrder = 0; printf("@step %e StockReservationFailed 0\n", order);
       if :: ost == O_PENDING -> cancelOrder(C_REFUSED) :: else -> skip fi }
  :: atomic { deadlineArmed -> deadlineArmed = 0; printf("@step %e OrderDeadline 0\n", order);
       if :: ost == O_PENDING -> cancelOrder(C_TIMEOUT) :: else -> skip fi }
  /* inventory partitions: react.ts */
  :: atomic { (pf[0] || pf[1]) ->
       if :: pf[0] -> q = 0 :: pf[1] -> q = 1 fi;
       pf[q] = 0; printf("@step %e PaymentFailed 0\n", PID(q));
       if
       :: rst[q] == R_NONE -> skip   /* holds come before StockReserved: nothing of the order here */
       :: else -> cancellation(q)
       fi }
  :: atomic { (ocf[0] || ocf[1]) ->
       if :: ocf[0] -> q = 0 :: ocf[1] -> q = 1 fi;
       ocf[q] = 0; printf("@step %e OrderConfirmed 0\n", PID(q));
       if :: rst[q] == R_HELD -> rst[q] = R_COMMITTED :: else -> skip fi }
  :: atomic { (ocn[0] || ocn[1]) ->
       if :: ocn[0] -> q = 0 :: ocn[1] -> q = 1 fi;
       ocn[q] = 0; printf("@step %e OrderCancelled 0\n", PID(q));
#ifdef BROKEN_KEEP_ON_REFUSAL
       cancellation(q);
#else
       if
       :: creason == C_REFUSED -> release(q)
       :: else -> cancellation(q)
       fi;
#endif
       if
       :: creason == C_REFUSED && (rst[q] == R_HELD || rst[q] == R_RELEASING) -> violated(no_partial_hold_after_refusal)
       :: else -> skip
       fi }
  :: atomic { (timer[0] || timer[1]) ->
       if :: timer[0] -> q = 0 :: timer[1] -> q = 1 fi;
       timer[q] = 0; printf("@step %e ReleaseHold 0\n", PID(q));
       if :: rst[q] == R_RELEASING -> release(q) :: else -> skip fi }
  /* quiescence: nothing pending; the invariants of a settled order */
  :: atomic { !(oc[0] || oc[1] || pa[0] || pa[1] || srPay || sfOrder || psOrder || pfOrder || pf[0] || pf[1] || ocf[0] || ocf[1] || ocn[0] || ocn[1] || timer[0] || timer[1] || deadlineArmed) ->
#ifdef LIVENESS
       /* idles for ever, so a run that ends unsettled is an acceptance cycle of the claim */
       do :: idle = 1 - idle od
#else
       if :: ost == O_PENDING -> violated(order_terminal) :: else -> skip fi;
       if
       :: ost == O_CONFIRMED && !(rst[0] == R_COMMITTED && rst[1] == R_COMMITTED) -> violated(confirmed_is_committed_everywhere)
       :: else -> skip
       fi;
       if
       :: ost == O_CANCELLED && (rst[0] == R_HELD || rst[0] == R_RELEASING || rst[0] == R_COMMITTED || rst[1] == R_HELD || rst[1] == R_RELEASING || rst[1] == R_COMMITTED) -> violated(cancelled_holds_nothing)
       :: else -> skip
       fi;
       break
#endif
     }
  od
}

/* Every run ends with the order over and every hold settled (committed, released or refused). */
ltl live { <> (ost != O_PENDING && rst[0] != R_HELD && rst[1] != R_HELD && rst[0] != R_RELEASING && rst[1] != R_RELEASING) }
