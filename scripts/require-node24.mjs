// Fails fast when a script runs on a Node other than 24 (the Lambda runtime): the project pins Node 24
// as a devDependency, so `npm run …` / `npm test` get it first on PATH; plain `node …` gets the system one.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `chat-erasure needs Node 24 (Lambda nodejs24.x) but this is Node ${process.versions.node}.\n` +
      'Run it through npm (npm test, npm start, npm run …) after `npm ci`, which puts the pinned Node 24 first on PATH.',
  );
  process.exit(1);
}
