/*
 * jetsaga: the choreographed order saga (order, inventory, payment) as a Promela model.
 * Issue 17. See docs/model.md for what it covers, what it abstracts away, and how to run it
 * (node --import tsx test/model/run-spin.ts).
 *
 * One sku, unit price 1 (the catalog's). Every rule below names the decide function it follows
 * (services/<service>/src/decide.ts) and the case of the service's router that calls it
 * (react.ts).
 *
 * The broker. Every durable consumer (<service>-<Type>) is its own channel, kept as a
 * multiset of pending deliveries: pend[IX(consumer, order)] copies of that consumer's message
 * for that order are delivered and not acked yet. A consumer takes any of its pending
 * messages in any order (JetStream redelivers after ACK_WAIT_MS, so even one consumer's order
 * is not kept), and across consumers nothing is ordered. A message stays until it is acked:
 * a service may crash between its commit and the ack (budget MAXCRASH), and the message is
 * delivered again; the inbox (inbox[IX(consumer, order)], written in the same commit) drops
 * it. The relay may publish an outbox row twice (a crash between publish and mark-sent,
 * outside the broker's duplicate window; budget MAXDUP): every consumer of that event gets a
 * second copy. Publishing at commit with one or two copies loses no behaviour of a separate
 * outbox + relay, because a pending copy may be taken at any later time anyway.
 *
 * Compile-time switches (spin -D..., also passed to spin -t when replaying a trail):
 *   NORD=2|3         orders (order 0 of QTY0 units, the others 1 unit)
 *   OTHER_FROM=k     orders k.. belong to customer 1, the rest to customer 0 (default: all to 0)
 *   STOCK, WALLET    units of the sku in stock; money credited to each customer's wallet
 *   QTY0             quantity of order 0
 *   MAXCRASH, MAXDUP crash-before-ack and relay re-publish budgets (whole run)
 *   KEPT             kept holds: STOCK_RELEASE_DELAY_MS > 0
 *   LIVENESS         build for the liveness claim (pan -a -f -N live): no assertions, and the
 *                    quiescent end of a run becomes an idle loop the claim can see
 *   BROKEN_TOMBSTONE      inventory ignores the CANCELLED tombstone and holds after a cancel
 *   BROKEN_DOUBLE_CHARGE  payment has no one-payment-per-order check in decideCharge
 *   BROKEN_INBOX          payment's StockReserved consumer has no inbox (handles redeliveries)
 *   BROKEN_KEPT_CROSS     inventory takes kept holds of any customer (no customerId filter)
 */

#ifndef NORD
#define NORD 2
#endif
#ifndef OTHER_FROM
#define OTHER_FROM NORD
#endif
#ifndef STOCK
#define STOCK 1
#endif
#ifndef WALLET
#define WALLET 1
#endif
#ifndef QTY0
#define QTY0 1
#endif
#ifndef MAXCRASH
#define MAXCRASH 1
#endif
#ifndef MAXDUP
#define MAXDUP 1
#endif

/* No conditional expressions (a -> b : c) in macros: they also go into ltl formulas. */
#define NCUST 2
#define CUST(o) ((o) >= OTHER_FROM)
#define QTY(o) (((o) == 0) * (QTY0 - 1) + 1)
#define PRICE(o) QTY(o)

/* OrderStatus (order/decide.ts); NONE: no row */
#define O_NONE 0
#define O_PENDING 1
#define O_CONFIRMED 2
#define O_CANCELLED 3
/* ReservationStatus (inventory/decide.ts) */
#define R_NONE 0
#define R_HELD 1
#define R_RELEASING 2
#define R_COMMITTED 3
#define R_RELEASED 4
#define R_TRANSFERRED 5
#define R_REJECTED 6
#define R_CANCELLED 7
/* PaymentStatus (payment/decide.ts) */
#define P_NONE 0
#define P_CAPTURED 1
#define P_FAILED 2
#define P_REFUNDED 3
#define P_VOIDED 4

/* Consumers (service.ts subscriptions of each service; only the ones the three services have). */
#define C_ORD_PLACE 0   /* order-PlaceOrder (command) */
#define C_ORD_SRF 1     /* order-StockReservationFailed */
#define C_ORD_PS 2      /* order-PaymentSucceeded */
#define C_ORD_PF 3      /* order-PaymentFailed */
#define C_INV_OCR 4     /* inventory-OrderCreated */
#define C_INV_PF 5      /* inventory-PaymentFailed */
#define C_INV_OCF 6     /* inventory-OrderConfirmed */
#define C_INV_OCN 7     /* inventory-OrderCancelled */
#define C_PAY_SR 8      /* payment-StockReserved */
#define C_PAY_OCN 9     /* payment-OrderCancelled */
#define NCONS 10
#define IX(c, o) ((c) * NORD + (o))

/* Names for the step log a trail replay prints (@step <service> <messageType> <orderId>). */
mtype = { order, inventory, payment,
          PlaceOrder, OrderCreated, OrderConfirmed, OrderCancelled, StockReserved, StockReservationFailed,
          PaymentSucceeded, PaymentFailed, OrderDeadline, ReleaseHold,
          /* invariant names (@violation <name>) */
          stock_conserved, holds_match_reservations, money_conserved, charged_at_most_once,
          cancelled_never_confirmed, confirmed_is_paid_and_held, kept_holds_stay_with_their_customer,
          every_saga_terminal, confirmed_sold_and_paid, no_hold_left_behind, no_charge_left_behind };

/* ---- state ---------------------------------------------------------------------------- */

/* order */
byte ost[NORD];
bit deadline[NORD];        /* OrderDeadline timer armed (disarmed when the order ends) */
/* inventory */
byte rst[NORD];
byte rqty[NORD];           /* units the reservation holds (or sold) now: its lines */
bit releaseTimer[NORD];    /* ReleaseHold timer armed (kept holds) */
short avail = STOCK;
short held = 0;
short sold = 0;
/* payment */
byte pst[NORD];
short bal[NCUST] = WALLET;
short taken[NORD];         /* ledger: money moved out of the wallet for this order, net of refunds */
byte charges[NORD];        /* captures made for this order */
/* broker */
byte pend[NCONS * NORD];
bit inbox[NCONS * NORD];
byte crashes = 0;
byte dups = 0;
bit dupNow = 0;            /* this commit's outbox row is published twice */

/* ---- invariants (expressions; used by assertions and by the ltl formulas) --------------- */

#if NORD > 2
#define SUM(F) (F(0) + F(1) + F(2))
#define SUMC(F, c) (F(c, 0) + F(c, 1) + F(c, 2))
#define ALL(P) (P(0) && P(1) && P(2))
#else
#define SUM(F) (F(0) + F(1))
#define SUMC(F, c) (F(c, 0) + F(c, 1))
#define ALL(P) (P(0) && P(1))
#endif

#define HOLDING(o) (rqty[o] * (rst[o] == R_HELD || rst[o] == R_RELEASING))
#define SOLDQ(o) (rqty[o] * (rst[o] == R_COMMITTED))
#define TAKEN_OF(c, o) (taken[o] * (CUST(o) == (c)))

/* stock conserved (available + held + sold == received) and never negative */
#define STOCK_OK (avail >= 0 && held >= 0 && sold >= 0 && avail + held + sold == STOCK)
/* held and sold are exactly what the reservations hold and sold */
#define HOLDS_OK (held == SUM(HOLDING) && sold == SUM(SOLDQ))
/* money conserved: wallet + captured == credited, never negative */
#define MONEY_C(c) (bal[c] >= 0 && bal[c] + SUMC(TAKEN_OF, c) == WALLET)
#define MONEY_OK (MONEY_C(0) && MONEY_C(1))
/* no order charged twice; the payment row accounts for all the money taken for it */
#define ONE_CHARGE(o) (charges[o] <= 1 && taken[o] == PRICE(o) * (pst[o] == P_CAPTURED))
/* a cancelled order is never confirmed anywhere: its stock is never sold */
#define NOT_BOTH(o) (ost[o] != O_CANCELLED || rst[o] != R_COMMITTED)
/* a confirmed order is paid and its stock held or sold */
#define CONFIRMED_OK(o) (ost[o] != O_CONFIRMED || (pst[o] == P_CAPTURED && (rst[o] == R_HELD || rst[o] == R_COMMITTED)))
#define SAFE (STOCK_OK && HOLDS_OK && MONEY_OK && ALL(ONE_CHARGE) && ALL(NOT_BOTH) && ALL(CONFIRMED_OK))

/* at quiescence: every saga terminal; confirmed ones sold and paid; cancelled ones hold and keep nothing */
#define TERMINAL(o) (ost[o] == O_CONFIRMED || ost[o] == O_CANCELLED)
#define CONFIRMED_DONE(o) (ost[o] != O_CONFIRMED || (rst[o] == R_COMMITTED && pst[o] == P_CAPTURED))
#define NO_HOLD_LEFT(o) (ost[o] != O_CANCELLED || (rst[o] != R_HELD && rst[o] != R_RELEASING))
#define NO_CHARGE_LEFT(o) (ost[o] != O_CANCELLED || (pst[o] != P_CAPTURED && taken[o] == 0))
#define SETTLED_O(o) (TERMINAL(o) && CONFIRMED_DONE(o) && NO_HOLD_LEFT(o) && NO_CHARGE_LEFT(o))
#define SETTLED ALL(SETTLED_O)

/* A named assertion: the name goes to the trail replay (spin -t), the check to pan. */
#define CHECK(name, cond) if :: !(cond) -> printf("@violation %e\n", name); assert(cond) :: else -> skip fi

#ifdef LIVENESS
/* the liveness run checks the claim only (the assertions are the safety run's) */
inline check() { skip }
#else
inline check() {
  CHECK(stock_conserved, STOCK_OK);
  CHECK(holds_match_reservations, HOLDS_OK);
  CHECK(money_conserved, MONEY_OK);
  CHECK(charged_at_most_once, ALL(ONE_CHARGE));
  CHECK(cancelled_never_confirmed, ALL(NOT_BOTH));
  CHECK(confirmed_is_paid_and_held, ALL(CONFIRMED_OK))
}
#endif

/* ---- broker ---------------------------------------------------------------------------- */

#if NORD > 2
#define PICK2(c) :: pend[IX(c, 2)] > 0 -> o = 2
#define PICKT2(t) :: t[2] -> o = 2
#else
#define PICK2(c)
#define PICKT2(t)
#endif
/* take any pending delivery of consumer c (sets o); blocks when there is none */
#define PICK(c) if :: pend[IX(c, 0)] > 0 -> o = 0 :: pend[IX(c, 1)] > 0 -> o = 1 PICK2(c) fi
/* take any armed timer of array t (sets o) */
#define PICKT(t) if :: t[0] -> o = 0 :: t[1] -> o = 1 PICKT2(t) fi

/* The relay publishes an outbox row: once, or twice (re-published after a crash). Whether this
   step's row goes out twice is chosen before its commit (chooseDup), so that the commit itself
   is one deterministic step (d_step). */
inline chooseDup() {
  if
  :: dups < MAXDUP -> dupNow = 1
  :: true -> skip
  fi
}
inline publish1(type, c1, o) {
  pend[IX(c1, o)]++;
  if
  :: dupNow -> dups++; pend[IX(c1, o)]++; printf("@dup %e %d\n", type, o)
  :: else -> skip
  fi
}
inline publish2(type, c1, c2, o) {
  pend[IX(c1, o)]++; pend[IX(c2, o)]++;
  if
  :: dupNow -> dups++; pend[IX(c1, o)]++; pend[IX(c2, o)]++; printf("@dup %e %d\n", type, o)
  :: else -> skip
  fi
}

/* After the commit: ack (the broker forgets the delivery), or crash before the ack (it stays). */
inline ackOrCrash(c, svc, type) {
  if
  :: pend[IX(c, o)]--
  :: crashes < MAXCRASH -> crashes++; printf("@crash %e %e %d\n", svc, type, o)
  fi
}

/* The inbox row, written in the reaction's transaction; and the step, for the trail. */
inline handled(c, svc, type) {
  inbox[IX(c, o)] = 1;
  printf("@step %e %e %d\n", svc, type, o)
}

/* One delivery of consumer c: a duplicate (inbox hit) is only acked; a new one runs RULE and
   the invariants in one commit, then is acked or the service crashes before the ack. */
#define CONSUME(c, svc, type, RULE) \
  atomic { PICK(c) -> \
    if \
    :: inbox[IX(c, o)] -> pend[IX(c, o)]-- \
    :: else -> \
      chooseDup(); \
      d_step { handled(c, svc, type); RULE; check(); dupNow = 0 }; \
      ackOrCrash(c, svc, type) \
    fi; \
    o = 0 }

/* ---- order (services/order/src) --------------------------------------------------------- */

/* decidePlace (order router: PlaceOrder): an existing orderId creates nothing; else PENDING,
   the OrderDeadline timer armed, OrderCreated emitted. */
inline decidePlace(o) {
  if
  :: ost[o] == O_NONE -> ost[o] = O_PENDING; deadline[o] = 1; publish1(OrderCreated, C_INV_OCR, o)
  :: else -> skip
  fi
}

/* decideConfirm (order router: PaymentSucceeded): only a PENDING order is confirmed; its
   decision disarms the deadline of the order that ended. */
inline decideConfirm(o) {
  if
  :: ost[o] == O_PENDING -> ost[o] = O_CONFIRMED; deadline[o] = 0; publish1(OrderConfirmed, C_INV_OCF, o)
  :: else -> skip
  fi
}

/* decideCancel (order router: StockReservationFailed, PaymentFailed, timer OrderDeadline):
   only a PENDING order is cancelled; OrderCancelled goes to inventory and payment. */
inline decideCancelOrder(o) {
  if
  :: ost[o] == O_PENDING -> ost[o] = O_CANCELLED; deadline[o] = 0; publish2(OrderCancelled, C_INV_OCN, C_PAY_OCN, o)
  :: else -> skip
  fi
}

active proctype Order() {
  byte o;
  /* the client sends one PlaceOrder per order */
  d_step { for (o : 0 .. NORD - 1) { pend[IX(C_ORD_PLACE, o)] = 1 }; o = 0 };
end:
  do
  :: CONSUME(C_ORD_PLACE, order, PlaceOrder, decidePlace(o))
  :: CONSUME(C_ORD_SRF, order, StockReservationFailed, decideCancelOrder(o))
  :: CONSUME(C_ORD_PS, order, PaymentSucceeded, decideConfirm(o))
  :: CONSUME(C_ORD_PF, order, PaymentFailed, decideCancelOrder(o))
  /* the OrderDeadline timer fires at any point while armed (marked fired in the same commit) */
  :: atomic { PICKT(deadline) -> chooseDup();
              d_step { deadline[o] = 0; printf("@step %e %e %d\n", order, OrderDeadline, o); decideCancelOrder(o); check(); dupNow = 0 };
              o = 0 }
  od
}

/* ---- inventory (services/inventory/src) ------------------------------------------------- */

#ifdef BROKEN_TOMBSTONE
#define HAS_RESERVATION(o) (rst[o] != R_NONE && rst[o] != R_CANCELLED)
#else
#define HAS_RESERVATION(o) (rst[o] != R_NONE)
#endif
#ifdef BROKEN_KEPT_CROSS
#define KEPT_FOR(h, o) (rst[h] == R_RELEASING)
#else
/* loadKeptHolds (inventory/src/store.ts): the customer's RELEASING reservations */
#define KEPT_FOR(h, o) (rst[h] == R_RELEASING && CUST(h) == CUST(o))
#endif

/* decideReserve (inventory router: OrderCreated, with loadKeptHolds): a reservation row (also a
   CANCELLED tombstone) makes it a no-op; a shortage counts the customer's kept holds as
   available and is REJECTED with StockReservationFailed; else the order takes from the kept
   holds first (takeFromKeptHolds: a hold emptied is TRANSFERRED, else stays RELEASING; oldest
   first is index order here), the rest from available, and is HELD with StockReserved. */
inline decideReserve(o) {
  if
  :: HAS_RESERVATION(o) -> skip
  :: else ->
    need = QTY(o);
    kept = 0;
    for (h : 0 .. NORD - 1) {
      if
      :: KEPT_FOR(h, o) -> kept = kept + rqty[h]
      :: else -> skip
      fi
    }
    if
    :: avail + kept < need -> rst[o] = R_REJECTED; rqty[o] = 0; publish1(StockReservationFailed, C_ORD_SRF, o)
    :: else ->
      for (h : 0 .. NORD - 1) {
        if
        :: need > 0 && KEPT_FOR(h, o) ->
          if
          :: rqty[h] < need -> take = rqty[h]
          :: else -> take = need
          fi;
          CHECK(kept_holds_stay_with_their_customer, CUST(h) == CUST(o));
          printf("@transfer %d %d %d\n", h, o, take);
          rqty[h] = rqty[h] - take;
          need = need - take;
          if
          :: rqty[h] > 0 -> skip
          :: else -> rst[h] = R_TRANSFERRED
          fi
        :: else -> skip
        fi
      }
      avail = avail - need;
      held = held + need;
      rst[o] = R_HELD;
      rqty[o] = QTY(o);
      publish1(StockReserved, C_PAY_SR, o)
    fi;
    need = 0; kept = 0; take = 0; h = 0
  fi
}

/* decideCommit (inventory router: OrderConfirmed): only a HELD reservation becomes a sale. */
inline decideCommit(o) {
  if
  :: rst[o] == R_HELD -> rst[o] = R_COMMITTED; held = held - rqty[o]; sold = sold + rqty[o]
  :: else -> skip
  fi
}

/* decideRelease (inventory router: timer ReleaseHold): no reservation yet leaves the CANCELLED
   tombstone; a HELD or RELEASING one goes back to available (RELEASED); else nothing. */
inline decideRelease(o) {
  if
  :: rst[o] == R_NONE -> rst[o] = R_CANCELLED
  :: rst[o] == R_HELD || rst[o] == R_RELEASING ->
    held = held - rqty[o]; avail = avail + rqty[o]; rst[o] = R_RELEASED; rqty[o] = 0
  :: else -> skip
  fi
}

/* decideCancellation (inventory router: PaymentFailed and OrderCancelled): a
   RELEASING hold already has its timer; with STOCK_RELEASE_DELAY_MS > 0 (KEPT) a HELD one is
   kept RELEASING and the ReleaseHold timer armed; everything else is decideRelease. */
inline decideCancellation(o) {
  if
  :: rst[o] == R_RELEASING -> skip
#ifdef KEPT
  :: rst[o] == R_HELD -> rst[o] = R_RELEASING; releaseTimer[o] = 1
#endif
  :: else -> decideRelease(o)
  fi
}

active proctype Inventory() {
  byte o, h, need, kept, take;
end:
  do
  :: CONSUME(C_INV_OCR, inventory, OrderCreated, decideReserve(o))
  :: CONSUME(C_INV_PF, inventory, PaymentFailed, decideCancellation(o))
  :: CONSUME(C_INV_OCF, inventory, OrderConfirmed, decideCommit(o))
  :: CONSUME(C_INV_OCN, inventory, OrderCancelled, decideCancellation(o))
  /* the ReleaseHold timer fires at any point once armed (the delay is arbitrary) */
  :: atomic { PICKT(releaseTimer) ->
              d_step { releaseTimer[o] = 0; printf("@step %e %e %d\n", inventory, ReleaseHold, o); decideRelease(o); check() };
              o = 0 }
  od
}

/* ---- payment (services/payment/src) ---------------------------------------------------- */

#ifdef BROKEN_DOUBLE_CHARGE
#define HAS_PAYMENT(o) false
#else
#define HAS_PAYMENT(o) (pst[o] != P_NONE)
#endif

/* decideCharge (payment router: StockReserved): any payment row (also a VOIDED tombstone)
   makes it a no-op; a short wallet FAILs with PaymentFailed (to order and inventory); else
   the order's total is captured with PaymentSucceeded. */
inline decideCharge(o) {
  if
  :: HAS_PAYMENT(o) -> skip
  :: else ->
    if
    :: bal[CUST(o)] < PRICE(o) -> pst[o] = P_FAILED; publish2(PaymentFailed, C_ORD_PF, C_INV_PF, o)
    :: else ->
      bal[CUST(o)] = bal[CUST(o)] - PRICE(o);
      taken[o] = taken[o] + PRICE(o);
      charges[o]++;
      pst[o] = P_CAPTURED;
      publish1(PaymentSucceeded, C_ORD_PS, o)
    fi
  fi
}

/* decideCancel (payment router: OrderCancelled): no payment yet leaves the VOIDED
   tombstone; a CAPTURED one is refunded (PaymentRefunded, reason order_cancelled, which
   inventory's router ignores: its PaymentRefunded case); else nothing. */
inline decideCancelPayment(o) {
  if
  :: pst[o] == P_NONE -> pst[o] = P_VOIDED
  :: pst[o] == P_CAPTURED ->
    bal[CUST(o)] = bal[CUST(o)] + PRICE(o); taken[o] = taken[o] - PRICE(o); pst[o] = P_REFUNDED
  :: else -> skip
  fi
}

active proctype Payment() {
  byte o;
end:
  do
#ifdef BROKEN_INBOX
  /* no inbox: every delivery of StockReserved runs decideCharge */
  :: atomic { PICK(C_PAY_SR) -> chooseDup();
              d_step { handled(C_PAY_SR, payment, StockReserved); decideCharge(o); check(); dupNow = 0 };
              ackOrCrash(C_PAY_SR, payment, StockReserved); o = 0 }
#else
  :: CONSUME(C_PAY_SR, payment, StockReserved, decideCharge(o))
#endif
  :: CONSUME(C_PAY_OCN, payment, OrderCancelled, decideCancelPayment(o))
  od
}

/* ---- the run ----------------------------------------------------------------------------- */

/* Nothing can move any more (every delivery acked, every timer fired): every saga is settled.
   With LIVENESS the run then idles here for ever: pan -a -f does not extend a run that ends
   (all processes blocked) by stuttering, so without this loop a run that ends unsettled would
   not show up as an acceptance cycle of the liveness claim. */
active proctype Quiescence() {
#ifdef LIVENESS
  bit idle;
  timeout -> do :: idle = 1 - idle od
#else
  timeout ->
    CHECK(every_saga_terminal, ALL(TERMINAL));
    CHECK(confirmed_sold_and_paid, ALL(CONFIRMED_DONE));
    CHECK(no_hold_left_behind, ALL(NO_HOLD_LEFT));
    CHECK(no_charge_left_behind, ALL(NO_CHARGE_LEFT))
#endif
}

/* The invariants as LTL (pan -N <name>): safety holds in every state, and with weak fairness
   (pan -a -f) every saga settles and stays settled. */
ltl safety { [] SAFE }
ltl live { <> [] SETTLED }
