import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The process's structured JSON logger. Level from POWERTOOLS_LOG_LEVEL
 * (default INFO). Never log secrets, write keys or whole event bodies: log
 * ids, counts and error names.
 */
export const logger = new Logger({ serviceName: 'sma' });
