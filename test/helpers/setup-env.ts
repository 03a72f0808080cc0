// Keep test output readable: the structured logs are asserted where they matter.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
