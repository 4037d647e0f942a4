export { prepareMessage } from './commands/publish.js';
export { parseItem } from './commands/order.js';
export { sagaFinished, sagaOutcome } from './saga-watch.js';
export { traceLines } from './commands/trace.js';
export { isStuck, listSagas, parseSince, type SagaRow } from './commands/sagas.js';
export { formatStatus, readStatus } from './commands/status.js';
