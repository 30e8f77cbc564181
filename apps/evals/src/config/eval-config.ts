import { loadSandboxConfig, type SandboxConfig } from '../../../sandbox/src/config/sandbox-config';

/**
 * The eval run's settings: the sandbox's (the model from OPENAI_API_KEY / OPENAI_BASE_URL, else the
 * demo model; SANDBOX_DATA_DIR) with the command line's --engine / --model on top.
 */
export function loadEvalConfig(
  flags: Record<string, string>,
  source: Record<string, string | undefined> = process.env,
): SandboxConfig {
  return loadSandboxConfig({ ...source, ...flags });
}
