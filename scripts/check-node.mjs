// npm runs scripts with node_modules/.bin first on PATH, so `node` here is the pinned
// devDependency; this guard names the problem when someone runs a script another way.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `dealdesk needs Node >= 22.13 (the pinned devDependency is Node 24); this is ${process.version}. ` +
      'Run scripts through npm (npm start, npm test) so the pinned Node is used.',
  );
  process.exit(1);
}
