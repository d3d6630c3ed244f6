/*
 * The HTTP glue the bench anchors share: WORKERS processes (Node's cluster) on PORT, each
 * answering every POST with {"verified": await verify(body)} (false on any error).
 */
import cluster from 'node:cluster';
import http from 'node:http';

export async function serve(port, workers, setup) {
  if(cluster.isPrimary) {
    for(let i = 0; i < Number(workers); i++) {
      cluster.fork();
    }
    return;
  }
  const verify = await setup();
  http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      let verified = false;
      try {
        verified = (await verify(Buffer.concat(chunks).toString('utf8'))) === true;
      } catch {
        verified = false;
      }
      const body = JSON.stringify({verified});
      res.writeHead(200, {'content-type': 'application/json', 'content-length': body.length});
      res.end(body);
    });
  }).listen(Number(port), '127.0.0.1');
}
