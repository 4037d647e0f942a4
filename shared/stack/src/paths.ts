import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (this file is shared/stack/src/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const allServices = ['order', 'inventory', 'payment', 'loyalty', 'notification'] as const;
export type ServiceId = (typeof allServices)[number];

export function serviceEntry(service: string): string {
  return join(repoRoot, 'services', service, 'src', 'main.ts');
}

/** The tsx loader, so a child node runs the services' TypeScript as it is. */
export const tsxLoader = import.meta.resolve('tsx');
