/** Tests run the TypeScript sources through ts-jest; `ts` comes first so lib/*.ts wins over jsii's lib/*.js. */
module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // The second removes what the Docker suites created when jest is interrupted (see the file).
  reporters: ['default', '<rootDir>/test/support/interrupt-reporter.js'],
};
