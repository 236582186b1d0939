/**
 * Finds every place in `src/` and `workers/` that makes an error, by reading the TypeScript
 * syntax tree (not the text, so a call split over lines or a class imported under another
 * name is still found), and says whether it passes the argument and the rule as data.
 *
 * - An error that takes details (`ValueError`, `TypeError`, `RangeError`, `RuntimeError`,
 *   `NotImplementedError`, `QueueError`, `StateFileError`, and the command line's `UsageError`
 *   and the bench gate's `BenchInputError`) must be given an
 *   object literal with both `argument` and `rule`, or an expression that forwards details made
 *   elsewhere (a variable, a call): anything else is a site without details. The `rule` must be
 *   a constant of `Rule` (`Rule.positive`, or a choice between two), or a name that forwards one
 *   (whose type the compiler then holds to `RuleName`): a string literal is `literal-rule`.
 * - `ChunkError`, `WorkerLoadError`, `ObjectiveError`, `AbortError` and `InternalError` fix their
 *   own argument and rule (or default them), so they always pass; so does the gate's
 *   `RegressionError`, which reports a measured slowdown, not a value anyone passed.
 * - `Error`, and the built-in `TypeError` / `RangeError` (not imported from `errors.ts`), are
 *   bare: they carry no code at all.
 */
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One place that makes an error. */
export interface ErrorSite {
  /** `path:line`, relative to the package root. */
  readonly where: string;
  /** The class as the list names it (`TypeError`), or `Error` / `built-in TypeError` for bare ones. */
  readonly className: string;
  /** Whether the site is `throw new ...(` (as opposed to an error built and returned or rejected). */
  readonly thrown: boolean;
  /**
   * `details` (argument and rule given), `forwarded` (details made elsewhere), `fixed` (the class
   * sets them), `missing`, `literal-rule` (a rule written as a string, not a `Rule` constant),
   * `bare` (an error outside the list).
   */
  readonly status: 'details' | 'forwarded' | 'fixed' | 'missing' | 'literal-rule' | 'bare';
  /** The `argument` as written (`'temperature'`, `name`), for a site with details. */
  readonly argument: string | null;
  /** The `rule` as written (`Rule.positive`), for a site with details. */
  readonly rule: string | null;
}

/** Classes whose details are an optional argument, and its position. */
const DETAILS_AT: Readonly<Record<string, number>> = {
  UsageError: 1,
  BenchInputError: 1,
  ValueError: 1,
  TypeError: 1,
  RangeError: 1,
  RuntimeError: 1,
  NotImplementedError: 1,
  QueueError: 1,
  StateFileError: 2,
};

/** Classes that set (or default) their own argument and rule, or carry none (see `status`). */
const FIXED = new Set([
  'ChunkError',
  'WorkerLoadError',
  'ObjectiveError',
  'AbortError',
  'InternalError',
  'RegressionError',
]);

/** The modules that make errors, by path from the package root (as imported, `.js`), and what each exports. */
const ERROR_MODULES: Readonly<Record<string, 'all' | readonly string[]>> = {
  'src/errors.js': 'all',
  'src/index.js': 'all',
  'src/cli/errors.js': ['UsageError'],
  'src/bench/errors.js': ['BenchInputError', 'RegressionError'],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // AssemblyScript: compiled to WebAssembly, it cannot throw the list's errors.
      if (name !== 'assembly') out.push(...tsFiles(p));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** @returns local name -> exported name, for the error classes a file imports from the modules that make errors. */
function listImports(sf: ts.SourceFile, root: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const from = st.moduleSpecifier.text;
    if (!from.startsWith('.')) continue;
    const module = relative(root, resolve(dirname(sf.fileName), from)).replaceAll('\\', '/');
    const exported = ERROR_MODULES[module];
    const bindings = st.importClause?.namedBindings;
    if (exported === undefined || bindings === undefined || !ts.isNamedImports(bindings)) continue;
    for (const el of bindings.elements) {
      const name = (el.propertyName ?? el.name).text;
      if (exported === 'all' || exported.includes(name)) names.set(el.name.text, name);
    }
  }
  return names;
}

/** @returns property name -> initializer as written, for the plain properties of an object literal. */
function propertiesOf(obj: ts.ObjectLiteralExpression, sf: ts.SourceFile): Map<string, string> {
  const props = new Map<string, string>();
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) props.set(p.name.text, p.initializer.getText(sf));
    if (ts.isShorthandPropertyAssignment(p)) props.set(p.name.text, p.name.text);
  }
  return props;
}

/** A rule written as a `Rule` constant, a choice between such, or a name forwarding one. */
function isRuleExpression(e: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(e)) return isRuleExpression(e.expression);
  if (ts.isConditionalExpression(e)) return isRuleExpression(e.whenTrue) && isRuleExpression(e.whenFalse);
  if (ts.isPropertyAccessExpression(e)) {
    // `Rule.positive`, or `err.rule`: the rule of a caught error, passed on.
    return (ts.isIdentifier(e.expression) && e.expression.text === 'Rule') || e.name.text === 'rule';
  }
  if (ts.isIdentifier(e)) return true;
  // `e.rule ?? null` passes on the rule of a caught error too.
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) {
    return isRuleExpression(e.left) && e.right.kind === ts.SyntaxKind.NullKeyword;
  }
  return false;
}

function ruleInitializer(obj: ts.ObjectLiteralExpression): ts.Expression | null {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'rule') return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'rule') return p.name;
  }
  return null;
}

function statusOf(
  name: string,
  args: readonly ts.Expression[],
  sf: ts.SourceFile,
): Pick<ErrorSite, 'status' | 'argument' | 'rule'> {
  const none = { argument: null, rule: null };
  if (FIXED.has(name)) return { status: 'fixed', ...none };
  const arg = args[DETAILS_AT[name]];
  if (arg === undefined) return { status: 'missing', ...none };
  if (!ts.isObjectLiteralExpression(arg)) return { status: 'forwarded', ...none };
  // A spread forwards details made elsewhere (`{ ...details, cause }`).
  if (arg.properties.some((p) => ts.isSpreadAssignment(p))) return { status: 'forwarded', ...none };
  const props = propertiesOf(arg, sf);
  const argument = props.get('argument') ?? null;
  const rule = props.get('rule') ?? null;
  if (argument === null || rule === null) return { status: 'missing', argument, rule };
  const init = ruleInitializer(arg) as ts.Expression;
  return { status: isRuleExpression(init) ? 'details' : 'literal-rule', argument, rule };
}

/**
 * @param root - the package root.
 * @returns every error made in `src/` and `workers/`, except in `src/errors.ts` itself (which
 *   rebuilds errors from data).
 */
export function errorSites(root: string): ErrorSite[] {
  const sites: ErrorSite[] = [];
  const files = [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'workers'))];
  for (const file of files) {
    const rel = relative(root, file).replaceAll('\\', '/');
    // The modules that define the classes (errors.ts also rebuilds errors from data).
    if (['src/errors.ts', 'src/cli/errors.ts', 'src/bench/errors.ts'].includes(rel)) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const imported = listImports(sf, root);
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const local = node.expression.text;
        const listName = imported.get(local);
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        const thrown = ts.isThrowStatement(node.parent);
        const where = `${rel}:${line}`;
        if (listName !== undefined && (listName in DETAILS_AT || FIXED.has(listName))) {
          sites.push({ where, className: listName, thrown, ...statusOf(listName, node.arguments ?? [], sf) });
        } else if (listName === undefined && /^(Error|TypeError|RangeError)$/.test(local)) {
          const className = local === 'Error' ? 'Error' : `built-in ${local}`;
          sites.push({ where, className, thrown, status: 'bare', argument: null, rule: null });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return sites;
}
