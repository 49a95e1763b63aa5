/**
 * The `polygres` command: reads the configuration, starts a node, and stops it cleanly on SIGTERM or
 * SIGINT. Prints `{"msg":"polygres ready","host":...,"port":...,"httpPort":...}` once it serves.
 */
import { isSqlError } from '../errors.js';
import { helpText, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startNode } from './node.js';
import { makeScramVerifier } from '../wire/index.js';

/** `polygres scram-verifier`: reads a password on stdin, prints the verifier to store in the configuration. */
async function printScramVerifier(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const password = input.replace(/\r?\n$/, '');
  if (password === '') {
    process.stderr.write('polygres scram-verifier: give the password on standard input\n');
    process.exit(2);
  }
  process.stdout.write(`${makeScramVerifier(password)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'scram-verifier') return printScramVerifier();
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (e) {
    process.stderr.write(`polygres: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  const logger = createLogger(config.str('polygres.log_level'), { node: config.int('polygres.node_id') });
  let node;
  try {
    node = await startNode(config, logger);
  } catch (e) {
    logger.fatal({ err: e, code: isSqlError(e) ? e.code : undefined }, `polygres failed to start: ${(e as Error).message}`);
    process.stderr.write(`polygres: ${(e as Error).message}\n`);
    process.exit(1);
  }
  logger.info(
    { host: node.host, port: node.port, httpPort: node.httpPort, storages: config.storages.map((s) => `${s.name}:${s.kind}`) },
    'polygres ready',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'polygres stopping');
    node.close().then(
      () => {
        logger.info({}, 'polygres stopped');
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, 'polygres did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
