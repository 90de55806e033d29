import { Token } from 'cdktf';
import { ProblemList } from '../private/validation';
import { RedisLogDriver, RedisLoggingOptions } from './logging-options';

/** Docker's log option names: lowercase words joined by dashes (some by dots or underscores). */
const OPTION_NAME = /^[a-z][a-z0-9._-]*$/;

export function checkLogging(problems: ProblemList, logging: RedisLoggingOptions | undefined): void {
  if (logging === undefined) return;
  if (!RedisLogDriver.ALL.includes(logging.driver)) {
    problems.add(`\`logging.driver\` must be one of ${RedisLogDriver.ALL.map((d) => `RedisLogDriver.${d.name.toUpperCase().replace('-', '_')}`).join(', ')}, got ${JSON.stringify((logging.driver as any)?.name ?? logging.driver)}`);
  }
  for (const [name, value] of Object.entries(logging.options ?? {})) {
    if (!OPTION_NAME.test(name)) problems.add(`\`logging.options\` names must be Docker log option names such as "tag" or "syslog-address", got "${name}"`);
    // Terraform would read these as templates in the plan's JSON.
    if (!Token.isUnresolved(value) && /\$\{|%\{/.test(value)) {
      problems.add(`\`logging.options\` value of "${name}" must not contain "\${" or "%{" (Terraform would interpolate it), got "${value}"`);
    }
  }
}
