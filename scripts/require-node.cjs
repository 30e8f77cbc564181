// Fails fast, with one clear line, on a Node older than the project needs (Nest 12 and openai 7 load
// as ESM through require(esm), which older Node versions answer with obscure errors).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`This project needs Node.js >= 22.12 (Node 24 LTS recommended); this is ${process.version}.`);
  process.exit(1);
}
