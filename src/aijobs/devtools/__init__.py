"""Developer tools (benchmarks, browser, figure export, stored notebook outputs); apart from
the runtime code, and free to import any layer."""
