import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layersPlugin } from './tools/eslint-layers.js';

const VENDOR_SDKS = ['twilio', '@line/bot-sdk', '@slack/bolt', '@slack/web-api', 'imapflow', 'mailparser', 'nodemailer'];
const DB_DRIVERS = ['knex', 'pg', 'sqlite3', 'better-sqlite3'];
const CLUSTER_DRIVERS = ['ioredis', '@socket.io/redis-adapter'];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'agent-ui/dist', 'bench/results', 'channels/web-chat/widget/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { layers: layersPlugin },
    rules: {
      'layers/import-direction': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...VENDOR_SDKS.map((name) => ({ name, message: 'vendor SDKs are imported only in channels/<kind>/' })),
            ...DB_DRIVERS.map((name) => ({ name, message: 'only db/ talks to the database' })),
            ...CLUSTER_DRIVERS.map((name) => ({ name, message: 'only server/cluster/ talks to Redis' })),
          ],
        },
      ],
    },
  },
  {
    files: ['channels/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: DB_DRIVERS.map((name) => ({ name, message: 'only db/ talks to the database' })) }],
    },
  },
  // Tests, benchmarks and the IVR simulator play the providers' part (signing as Twilio does).
  { files: ['db/**', 'server/cluster/**', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-imports': 'off' } },
  // Tests read JSON answers loosely; the assertions are the type check there.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['agent-ui/**'], languageOptions: { globals: { ...globals.browser } } },
);
