#!/usr/bin/env node
// A real single-node Apache Cassandra 5.0 for tests, from Maven Central jars (no Docker):
//   node scripts/cassandra.mjs start    fetch the jars (cached in ~/.m2), start, wait until CQL answers
//   node scripts/cassandra.mjs stop     stop it (SIGTERM, then wait for the process to exit)
//   node scripts/cassandra.mjs status   print whether it runs
// Data, logs and the pid live in infra/cassandra/run/. CQL on 127.0.0.1:9042 (POLYGRES_CASSANDRA_PORT).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';

const infra = new URL('../infra/cassandra/', import.meta.url).pathname;
const lib = join(infra, 'target', 'lib');
const run = join(infra, 'run');
const pidFile = join(run, 'cassandra.pid');
const logFile = join(run, 'cassandra.log');
const cqlPort = Number(process.env.POLYGRES_CASSANDRA_PORT ?? 9042);
const storagePort = Number(process.env.POLYGRES_CASSANDRA_STORAGE_PORT ?? 7000);
const startTimeoutMs = 180_000;

function runningPid() {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function fetchJars() {
  if (existsSync(join(lib, 'jamm-0.4.0.jar'))) return;
  console.log('fetching Cassandra jars with Maven (cached in ~/.m2 after the first run)...');
  const r = spawnSync('mvn', ['-q', '-B', 'package'], { cwd: infra, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('mvn package failed: cannot fetch Cassandra');
}

function yaml(dataDir) {
  return `cluster_name: polygres-test
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_directory: ${dataDir}/commitlog
data_file_directories: [${dataDir}/data]
saved_caches_directory: ${dataDir}/saved_caches
hints_directory: ${dataDir}/hints
cdc_raw_directory: ${dataDir}/cdc_raw
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${storagePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${storagePort}
native_transport_port: ${cqlPort}
start_native_transport: true
auto_snapshot: false
hinted_handoff_enabled: false
`;
}

const addExports = [
  'java.base/jdk.internal.misc', 'java.management.rmi/com.sun.jmx.remote.internal.rmi', 'java.rmi/sun.rmi.registry',
  'java.rmi/sun.rmi.server', 'java.sql/java.sql', 'java.base/java.lang.ref', 'jdk.unsupported/sun.misc',
  'jdk.compiler/com.sun.tools.javac.file', 'jdk.attach/sun.tools.attach',
];
const addOpens = [
  'java.base/java.lang.module', 'java.base/jdk.internal.loader', 'java.base/jdk.internal.ref', 'java.base/jdk.internal.reflect',
  'java.base/jdk.internal.math', 'java.base/jdk.internal.module', 'java.base/jdk.internal.util.jar',
  'jdk.management/com.sun.management.internal', 'java.base/sun.nio.ch', 'java.base/java.io', 'java.base/java.lang.reflect',
  'jdk.compiler/com.sun.tools.javac', 'java.base/java.lang', 'java.base/java.util', 'java.base/java.nio',
];

function cqlAnswers() {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: cqlPort });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function start() {
  if (runningPid()) {
    console.log(`Cassandra already running (pid ${runningPid()}), CQL on 127.0.0.1:${cqlPort}`);
    return;
  }
  if (await cqlAnswers()) {
    console.log(`a Cassandra already answers on 127.0.0.1:${cqlPort} (not started from this checkout); using it`);
    return;
  }
  fetchJars();
  const dataDir = join(run, 'data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'tmp'), { recursive: true });
  writeFileSync(join(run, 'cassandra.yaml'), yaml(dataDir));
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar')).map((f) => join(lib, f));
  const args = [
    '-Xms512m', '-Xmx512m', '-XX:+UseG1GC', '-Xss512k', '-XX:+ExitOnOutOfMemoryError',
    `-javaagent:${join(lib, 'jamm-0.4.0.jar')}`,
    '-Djdk.attach.allowAttachSelf=true', '-Dio.netty.tryReflectionSetAccessible=true',
    ...addExports.flatMap((x) => ['--add-exports', `${x}=ALL-UNNAMED`]),
    ...addOpens.flatMap((x) => ['--add-opens', `${x}=ALL-UNNAMED`]),
    `-Dcassandra.config=file://${join(run, 'cassandra.yaml')}`,
    `-Dlogback.configurationFile=${join(infra, 'logback.xml')}`,
    '-Dcassandra-foreground=yes', `-Dcassandra.storagedir=${dataDir}`,
    '-Dcassandra.skip_wait_for_gossip_to_settle=0', '-Dcassandra.unsafesystem=true',
    `-Djava.io.tmpdir=${join(dataDir, 'tmp')}`,
    '-cp', jars.join(':'), 'org.apache.cassandra.service.CassandraDaemon',
  ];
  const out = openSync(logFile, 'w');
  const child = spawn('java', args, { detached: true, stdio: ['ignore', out, out] });
  writeFileSync(pidFile, String(child.pid));
  child.unref();
  const began = Date.now();
  while (Date.now() - began < startTimeoutMs) {
    const log = readFileSync(logFile, 'utf8');
    if (log.includes('Starting listening for CQL clients') && (await cqlAnswers())) {
      console.log(`Cassandra ready in ${((Date.now() - began) / 1000).toFixed(1)} s (pid ${child.pid}), CQL on 127.0.0.1:${cqlPort}`);
      return;
    }
    if (!runningPid()) {
      console.error(log.split('\n').slice(-40).join('\n'));
      throw new Error('Cassandra exited during startup (log above)');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Cassandra did not answer CQL within ${startTimeoutMs / 1000} s; see ${logFile}`);
}

async function stop() {
  const pid = runningPid();
  if (!pid) {
    console.log('Cassandra is not running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const began = Date.now();
  while (runningPid() && Date.now() - began < 60_000) await new Promise((r) => setTimeout(r, 200));
  if (runningPid()) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  console.log('Cassandra stopped');
}

const command = process.argv[2];
try {
  if (command === 'start') await start();
  else if (command === 'stop') await stop();
  else if (command === 'status') console.log(runningPid() ? `running (pid ${runningPid()})` : 'not running');
  else {
    console.error('usage: node scripts/cassandra.mjs start|stop|status');
    process.exit(2);
  }
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
