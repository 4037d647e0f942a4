/**
 * The architecture, checked by `npm run arch` (part of `npm test`):
 * one-way message path in the kit, services apart from each other, the kit through its entry.
 */
const kit = '^shared/messaging/src/';
const below = (room, ...lower) => ({
  name: `kit-${room}-one-way`,
  comment: `${room}/ sits below ${lower.join(', ')}/: consume -> step -> outbound, never back`,
  severity: 'error',
  from: { path: `${kit}${room}/` },
  to: { path: `${kit}(${lower.join('|')})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles anywhere', from: {}, to: { circular: true } },
    {
      name: 'services-apart',
      severity: 'error',
      comment: 'a service never imports another service: they talk through events only',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'events-know-no-kit',
      severity: 'error',
      comment: 'the shared schema package imports nothing of the kit (or of anything else of ours)',
      from: { path: '^shared/events/' },
      to: { path: '^(shared/(messaging|stack|cli)|services)/' },
    },
    {
      name: 'services-use-the-kit-entry',
      severity: 'error',
      comment: 'services import the kit only through @jetsaga/messaging (src/index.ts), never its rooms or ops',
      from: { path: '^services/' },
      to: { path: kit, pathNot: `${kit}index\\.ts$` },
    },
    {
      name: 'tools-use-the-kit-entries',
      severity: 'error',
      comment: 'the CLI, the stack and the tests use the kit through its two entry points',
      from: { path: '^(shared/(cli|stack)|test)/' },
      to: { path: kit, pathNot: `${kit}(index|ops)\\.ts$` },
    },
    below('step', 'consume', 'service', 'timers', 'ops'),
    below('outbound', 'consume', 'step', 'service', 'timers', 'ops'),
    below('timers', 'service', 'ops'),
    below('consume', 'service', 'timers', 'ops'),
    below('nats', 'consume', 'step', 'outbound', 'timers', 'service', 'ops'),
    below('sqlite', 'consume', 'step', 'outbound', 'timers', 'service', 'ops', 'nats'),
    below('observe', 'consume', 'step', 'outbound', 'timers', 'service', 'ops', 'nats', 'sqlite'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // a kit's own tests (unit, and integration with a real broker) may reach inside it
    exclude: { path: '(node_modules|\\.unit\\.test\\.ts$|^shared/messaging/src/.*\\.int\\.test\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
