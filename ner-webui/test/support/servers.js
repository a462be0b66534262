// Real processes for the browser tests: the packaged ner-api, Debian's nginx running the WebUI's own
// server config behind a stand-in for the Ingress, and Debian's Chromium driven by playwright-core.
// Everything listens on 127.0.0.1 and is stopped by the returned stop() functions.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MODULE_DIR = path.resolve(here, '..', '..');
export const WEBAPP_DIR = path.join(MODULE_DIR, 'src', 'main', 'webapp');
export const NGINX_CONF = path.join(MODULE_DIR, 'nginx', 'webui.conf');
export const TARGET_DIR = path.join(MODULE_DIR, 'target');
const LOG_DIR = path.join(TARGET_DIR, 'e2e-logs');
const DEFAULT_JAR = path.resolve(MODULE_DIR, '..', 'ner-api', 'target', 'quarkus-app', 'quarkus-run.jar');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function firstExisting(candidates) {
  return candidates.find((candidate) => candidate && fs.existsSync(candidate));
}

function logTail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url` until it answers 200, the process dies, or `timeoutMs` passes. */
async function waitFor200(url, child, logFile, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} answered 200:\n${logTail(logFile)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last}):\n${logTail(logFile)}`);
}

function stopper(child, signal = 'SIGTERM', graceMs = 15_000) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
}

function spawnLogged(name, command, args, options = {}) {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', log, log], ...options });
  fs.closeSync(log);
  return { child, logFile };
}

/** Mirrors the directory `from` into `to` with hard links (copies where linking is not possible). */
function linkTree(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target);
      linkTree(source, target);
    } else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
      }
    }
  }
}

/**
 * Starts the packaged ner-api (the runner jar its Maven build writes) on a free loopback port.
 * `env` adds environment variables (NER_MODELS_DIRECTORIES, NER_DICTIONARY_PATH, NER_AUTH_API_KEYS,
 * ...); `name` names its log, target/e2e-logs/<name>.log. NER_API_JAR overrides the jar;
 * NER_API_URL points the tests at an API that is already running instead (then `maxTextChars` is
 * whatever that server has; the tests read the limit from /api/v1/model). A server that needs an
 * `env` is always started here: a running one would not have that configuration.
 */
export async function startNerApi({ maxTextChars, env = {}, name = 'ner-api' } = {}) {
  if (process.env.NER_API_URL && Object.keys(env).length === 0) {
    return { url: process.env.NER_API_URL.replace(/\/$/, ''), stop: async () => {}, external: true };
  }
  const jar = process.env.NER_API_JAR || DEFAULT_JAR;
  if (!fs.existsSync(jar)) {
    throw new Error(`ner-api runner jar not found at ${jar}: build it first (mvn -B -pl ner-api package -DskipTests)`);
  }
  // Run a snapshot of the app (hard links, so it costs no copy): a rebuild of ner-api while the
  // tests run replaces the files under target/ and would otherwise pull jars from under the JVM.
  const snapshot = fs.mkdtempSync(path.join(os.tmpdir(), 'ner-webui-api-'));
  linkTree(path.dirname(jar), snapshot);
  const port = await freePort();
  const java = firstExisting([process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java')]) || 'java';
  const args = [`-Dquarkus.http.port=${port}`, '-Dquarkus.http.host=127.0.0.1'];
  if (maxTextChars) args.push(`-Dner.limits.max-text-chars=${maxTextChars}`);
  args.push('-jar', path.join(snapshot, path.basename(jar)));
  const { child, logFile } = spawnLogged(name, java, args, { cwd: snapshot, env: { ...process.env, ...env } });
  const url = `http://127.0.0.1:${port}`;
  const stopJava = stopper(child);
  const stop = async () => {
    await stopJava();
    fs.rmSync(snapshot, { recursive: true, force: true });
  };
  try {
    await waitFor200(`${url}/q/health/ready`, child, logFile, 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, external: false };
}

/**
 * The WebUI's nginx config with only its listen address and root swapped for the test's. Each swap
 * must hit exactly once, so an edit of webui.conf that the tests no longer understand fails loudly.
 */
export function webuiServerConfig(port, root) {
  let conf = fs.readFileSync(NGINX_CONF, 'utf8');
  const swaps = [
    [/^(\s*)listen 8080;$/m, `$1listen 127.0.0.1:${port};`],
    [/^(\s*)root \/usr\/share\/nginx\/html;$/m, `$1root ${root};`],
  ];
  for (const [pattern, replacement] of swaps) {
    const hits = conf.match(new RegExp(pattern.source, 'gm')) || [];
    if (hits.length !== 1) throw new Error(`${NGINX_CONF}: expected one line matching ${pattern}, found ${hits.length}`);
    conf = conf.replace(pattern, replacement);
  }
  return conf;
}

/**
 * Runs Debian's nginx with two servers: the WebUI's own (webui.conf) and, in front of it, a proxy
 * that does what the cluster's Ingress does: /api/ to ner-api, everything else to the WebUI. `name`
 * names its logs in target/e2e-logs.
 * @returns {{url:string, webuiUrl:string, stop:() => Promise<void>}} `url` is the Ingress stand-in.
 */
export async function startNginx({ apiUrl, name = 'nginx' }) {
  const nginx = firstExisting([process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/bin/nginx']);
  if (!nginx) throw new Error('nginx not found (apt-get install nginx, or set NGINX_BIN)');
  const mimeTypes = firstExisting(['/etc/nginx/mime.types']);
  if (!mimeTypes) throw new Error('/etc/nginx/mime.types not found (Debian package nginx-common)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ner-webui-nginx-'));
  const temp = path.join(dir, 'temp');
  fs.mkdirSync(temp);
  // Started as root, nginx runs its workers as nobody: they must reach the temp dirs (request
  // bodies over 16 KB and large proxied answers are buffered there).
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(temp, 0o777);
  const webuiPort = await freePort();
  const ingressPort = await freePort();
  fs.writeFileSync(path.join(dir, 'webui.conf'), webuiServerConfig(webuiPort, WEBAPP_DIR));
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  include ${mimeTypes};
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  client_body_temp_path ${temp}/client_body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;

  include ${dir}/webui.conf;

  # Stand-in for the Kubernetes Ingress: one origin, /api to ner-api, the rest to the WebUI.
  server {
    listen 127.0.0.1:${ingressPort};
    client_max_body_size 16m;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    location /api/ {
      proxy_pass ${apiUrl};
    }
    location / {
      proxy_pass http://127.0.0.1:${webuiPort};
    }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const { child, logFile } = spawnLogged(name, nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')]);
  const stopNginx = stopper(child, 'SIGQUIT', 5_000);
  const stop = async () => {
    await stopNginx();
    for (const log of ['error.log', 'access.log']) {
      if (fs.existsSync(path.join(dir, log))) fs.copyFileSync(path.join(dir, log), path.join(LOG_DIR, `${name}-${log}`));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor200(`http://127.0.0.1:${webuiPort}/healthz`, child, logFile, 15_000);
    await waitFor200(`http://127.0.0.1:${ingressPort}/healthz`, child, logFile, 15_000);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\nnginx error.log:\n${logTail(path.join(dir, 'error.log'))}`);
  }
  return { url: `http://127.0.0.1:${ingressPort}`, webuiUrl: `http://127.0.0.1:${webuiPort}`, stop };
}

/** Debian's Chromium, headless, with a fresh profile; CHROMIUM_BIN overrides the binary. */
export async function launchChromium(contextOptions = {}) {
  const executablePath = firstExisting([process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser']);
  if (!executablePath) throw new Error('chromium not found (apt-get install chromium, or set CHROMIUM_BIN)');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ner-webui-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    ...contextOptions,
  });
  return {
    context,
    stop: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * ner-api with `env` behind nginx, as startNerApi and startNginx; `name` prefixes the logs.
 * @returns {Promise<{api: object, web: object, stop: () => Promise<void>}>}
 */
export async function startStack({ env, name, maxTextChars }) {
  const api = await startNerApi({ env, name: `${name}-api`, maxTextChars });
  let web;
  try {
    web = await startNginx({ apiUrl: api.url, name: `${name}-nginx` });
  } catch (error) {
    await api.stop();
    throw error;
  }
  return {
    api,
    web,
    stop: async () => {
      await web.stop();
      await api.stop();
    },
  };
}
