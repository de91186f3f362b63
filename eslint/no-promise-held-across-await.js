/**
 * A promise kept in a variable while the function awaits something else: if it rejects meanwhile, nothing is
 * listening yet, and Node treats the rejection as unhandled (`npm start` exits; a Lambda invocation fails).
 *
 *   const history = putHistory(report);   // started
 *   await updateConnector(report);         // if history rejects now, the rejection is unhandled
 *   await history;
 *
 * Start such work together instead (`await Promise.all([...])`), or hand it to something that observes it at
 * once (a unit of work's `alongside`). no-floating-promises does not see this: the promise is not floating, it
 * is assigned. Also reported: a promise assigned and never used.
 */

/** @param {import('typescript').TypeChecker} checker @param {import('typescript').Type} type */
const isThenable = (checker, type) =>
  (type.isUnion() ? type.types : [type]).some((t) => checker.getPropertyOfType(checker.getApparentType(t), 'then') !== undefined);

const FUNCTION = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const enclosingFunction = (node) => {
  for (let n = node.parent; n; n = n.parent) if (FUNCTION.has(n.type)) return n;
  return undefined;
};

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'disallow holding an unobserved promise across an await' },
    messages: {
      heldAcrossAwait: "'{{name}}' holds a promise nobody observes while line {{line}} awaits: a rejection meanwhile is unhandled. Await the two together (Promise.all).",
      neverUsed: "'{{name}}' holds a promise that is never awaited: a rejection is unhandled.",
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services?.program) return {};
    const checker = services.program.getTypeChecker();
    const held = [];
    const awaits = [];
    return {
      VariableDeclarator(node) {
        if (node.id.type !== 'Identifier' || !node.init || node.init.type === 'AwaitExpression') return;
        if (!enclosingFunction(node)) return;
        if (!isThenable(checker, services.getTypeAtLocation(node.init))) return;
        held.push(node);
      },
      AwaitExpression(node) {
        awaits.push(node);
      },
      'Program:exit'() {
        for (const declarator of held) {
          const [variable] = context.sourceCode.getDeclaredVariables(declarator);
          const firstRead = variable?.references.find((r) => r.isRead())?.identifier;
          if (!firstRead) {
            context.report({ node: declarator, messageId: 'neverUsed', data: { name: declarator.id.name } });
            continue;
          }
          const fn = enclosingFunction(declarator);
          const between = awaits.find(
            (a) => enclosingFunction(a) === fn && a.range[0] > declarator.range[1] && a.range[1] <= firstRead.range[0],
          );
          if (between) {
            context.report({ node: declarator, messageId: 'heldAcrossAwait', data: { name: declarator.id.name, line: String(between.loc.start.line) } });
          }
        }
      },
    };
  },
};
