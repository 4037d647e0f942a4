import { defineConfig } from 'drizzle-kit';

export default defineConfig({ dialect: 'sqlite', schema: './src/sqlite/kit-tables.ts', out: './drizzle' });
