/**
 * Lets every pending promise callback (wire emissions, Apex mocks, re-renders) run before a test asserts.
 * The one shared copy: import it, do not paste it into test files.
 * @returns {Promise<void>} resolves on the next macrotask
 */
export default function flushPromises() {
  // eslint-disable-next-line @lwc/lwc/no-async-operation
  return new Promise((resolve) => setTimeout(resolve, 0));
}
