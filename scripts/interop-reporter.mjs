/**
 * A node:test reporter that writes one JSON line per finished test
 * ({ file, name, status: 'pass' | 'fail' | 'skip' }); scripts/run-tests.mjs
 * turns the interop tests' lines into the interop table (interop-table.mjs).
 */
export default async function* interopReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    // Only the top-level tests of a file (nesting 0); files themselves are not tests.
    if (d.nesting !== 0 || d.file === undefined || d.details?.type === 'suite') continue;
    const status = event.type === 'test:fail' ? 'fail' : d.skip !== undefined || d.todo !== undefined ? 'skip' : 'pass';
    yield `${JSON.stringify({ file: d.file, name: d.name, status })}\n`;
  }
}
