import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

/**
 * Zod's messages ("Too small: expected string to have >=1 characters") in words a person reads, each to follow the
 * field's name ("name: must not be empty"). Messages a schema states itself (`.min(1, '…')`, refinements) win over
 * these; an issue not covered here keeps zod's own message.
 */
export function fieldMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return sizeMessage('at least', issue.origin, Number(issue.minimum), issue.inclusive !== false, issue.exact);
    case 'too_big':
      return sizeMessage('at most', issue.origin, Number(issue.maximum), issue.inclusive !== false, issue.exact);
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union': {
      // A discriminated union's discriminator (the issue's path ends with it) that matched no option: name the options.
      const options = (issue as { options?: unknown[] }).options;
      return issue.discriminator && options?.length ? `must be one of ${options.map((option) => JSON.stringify(option)).join(', ')}` : undefined;
    }
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a URL' : issue.format === 'regex' ? undefined : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}

function sizeMessage(bound: 'at least' | 'at most', origin: string, limit: number, inclusive: boolean, exact: boolean | undefined): string {
  if (origin === 'string') {
    if (bound === 'at least' && limit === 1) return 'must not be empty';
    return `must be ${exact ? 'exactly' : bound} ${plural(limit, 'character')}`;
  }
  if (origin === 'array' || origin === 'set') {
    if (bound === 'at least' && limit === 1) return 'must not be empty';
    return `must have ${exact ? 'exactly' : bound} ${plural(limit, 'item')}`;
  }
  if (!inclusive) return `must be ${bound === 'at least' ? 'more' : 'less'} than ${limit}`;
  return `must be ${bound} ${limit}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
