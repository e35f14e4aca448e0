/**
 * TypeScript server plugin: IntelliSense for `@tensorflow/tfjs` and `dl-lab` in model files of a workspace
 * that has no node_modules. The engine hands model files these modules at run time
 * (src/engine/model/modelFile.ts), so the editor must find their types somewhere else: in the declaration
 * files the extension ships (dist/types/node_modules/, written by scripts/buildTypes.mjs).
 *
 * The plugin wraps the project's module resolution. Where the workspace itself resolves a name (its own
 * node_modules, paths mappings), that result stands; only an unresolved name falls back to the shipped
 * declarations, and only in model files, files in a folder that holds a model file (helpers a model file
 * imports get bundled with it, and the engine provides their modules too), and the shipped declarations
 * themselves. Other projects keep their "Cannot find module" errors.
 *
 * Loaded by tsserver through ts-plugin/index.js (the package `dl-lab-typescript-plugin` in the extension's
 * node_modules, contributed in package.json's typescriptServerPlugins). It uses the TypeScript that loads
 * it, never its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { PROVIDED_MODULES as ENGINE_MODULES } from '../engine/model/providedModules';

/** The modules the engine provides to model files, and nothing else. */
export const PROVIDED_MODULES: readonly string[] = ENGINE_MODULES;

const MODEL_FILE = /\.model\.[cm]?[jt]sx?$/;

export interface PluginOptions {
  /** The folder whose node_modules/ holds the shipped declarations (the extension's dist/types). */
  typesDir: string;
  /** Where the plugin says what it did: tsserver's log (info.project.projectService.logger). */
  log?: (message: string) => void;
}

/** The plugin module factory tsserver calls with its own TypeScript. */
export function createPlugin(options: PluginOptions) {
  return function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
    const typescript = modules.typescript;
    return {
      create(info) {
        const log = (message: string) => {
          options.log?.(message);
          info.project?.projectService?.logger?.info(`[dl-lab-typescript-plugin] ${message}`);
        };
        patchResolution(typescript, info.languageServiceHost, options.typesDir, log);
        log(`resolving ${PROVIDED_MODULES.join(', ')} in model files from ${options.typesDir}`);
        return info.languageService;
      },
    };
  };
}

/**
 * Wraps the host's module resolution (resolveModuleNameLiterals since TypeScript 5.0, resolveModuleNames
 * before) so that unresolved names get a second try from the shipped declarations.
 */
export function patchResolution(typescript: typeof ts, host: ts.LanguageServiceHost, typesDir: string, log: (message: string) => void = () => {}): void {
  const typesRoot = path.resolve(typesDir);
  const fallbackOptions: ts.CompilerOptions = {
    moduleResolution: typescript.ModuleResolutionKind.Node10,
    module: typescript.ModuleKind.CommonJS,
    target: typescript.ScriptTarget.ES2022,
  };
  // The anchor: a (virtual) file in typesDir, so that resolution walks typesDir/node_modules.
  const anchor = path.join(typesRoot, '__dl-lab__.ts');
  const neighbours = new ModelFileFolders();
  const logged = new Set<string>();
  const fallbackFor = (name: string, containingFile: string): ts.ResolvedModuleWithFailedLookupLocations | undefined => {
    const containing = path.resolve(containingFile);
    const inTypes = containing.startsWith(typesRoot + path.sep);
    if (!inTypes && !(PROVIDED_MODULES.includes(name) && (MODEL_FILE.test(containing) || neighbours.has(path.dirname(containing))))) {
      return undefined;
    }
    // The shipped declarations resolve among themselves with fixed options, whatever the project's are.
    const result = typescript.resolveModuleName(name, inTypes ? containing : anchor, fallbackOptions, typescript.sys);
    if (!result.resolvedModule) return undefined;
    const line = `${name} in ${containing} -> ${result.resolvedModule.resolvedFileName}`;
    if (!logged.has(line)) log(line);
    logged.add(line);
    return result;
  };

  const literals = host.resolveModuleNameLiterals?.bind(host);
  const names = host.resolveModuleNames?.bind(host);
  if (literals || !names) {
    host.resolveModuleNameLiterals = (moduleLiterals, containingFile, redirectedReference, options, containingSourceFile, reusedNames) => {
      const resolved = literals
        ? literals(moduleLiterals, containingFile, redirectedReference, options, containingSourceFile, reusedNames)
        : moduleLiterals.map((literal) => typescript.resolveModuleName(literal.text, containingFile, options, typescript.sys, undefined, redirectedReference));
      return resolved.map((result, i) => (result.resolvedModule ? result : fallbackFor(moduleLiterals[i].text, containingFile) ?? result));
    };
  } else {
    host.resolveModuleNames = (moduleNames, containingFile, reusedNames, redirectedReference, options, containingSourceFile) =>
      names(moduleNames, containingFile, reusedNames, redirectedReference, options, containingSourceFile).map(
        (result, i) => result ?? fallbackFor(moduleNames[i], containingFile)?.resolvedModule,
      );
  }
}

/** Which folders hold a model file; re-read when a folder changes (its mtime). */
class ModelFileFolders {
  private readonly cache = new Map<string, { mtimeMs: number; has: boolean }>();

  has(dir: string): boolean {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(dir).mtimeMs;
    } catch {
      return false;
    }
    const cached = this.cache.get(dir);
    if (cached && cached.mtimeMs === mtimeMs) return cached.has;
    let has = false;
    try {
      has = fs.readdirSync(dir).some((name) => MODEL_FILE.test(name));
    } catch {
      // Unreadable: no model file that the engine could load either.
    }
    this.cache.set(dir, { mtimeMs, has });
    return has;
  }
}
