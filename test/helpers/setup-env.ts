// Keep test output readable: the structured logs are asserted where they matter.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
// Lambda runs Node 22; the SDK's notice that its 2027 releases will need it is not news in a test run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
