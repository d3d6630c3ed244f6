// A TLS front for the W3C test suites, which call implementations over https only.
// usage: node tls-proxy.mjs CERT KEY LISTEN_PORT=TARGET_URL [LISTEN_PORT=TARGET_URL ...]
// Each listening port (on 127.0.0.1) forwards every request, unchanged, to its http target.
import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const [certFile, keyFile, ...routes] = process.argv.slice(2);
if(!certFile || !keyFile || routes.length === 0) {
  console.error('usage: tls-proxy.mjs CERT KEY PORT=http://HOST:PORT ...');
  process.exit(2);
}
const tls = {cert: readFileSync(certFile), key: readFileSync(keyFile)};

for(const route of routes) {
  const [port, target] = route.split('=');
  const upstream = new URL(target);
  https.createServer(tls, (req, res) => {
    const out = http.request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: {...req.headers, host: upstream.host, 'x-forwarded-proto': 'https'}
    }, answer => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    out.on('error', err => {
      res.writeHead(502, {'content-type': 'text/plain'});
      res.end(`tls-proxy: ${err.message}\n`);
    });
    req.pipe(out);
  }).listen(Number(port), '127.0.0.1', () => {
    console.error(`tls-proxy: https://127.0.0.1:${port} -> ${target}`);
  });
}
