/**
 * Malformed request parameters are the client's error: `variables` or `extensions` that are not
 * JSON (in a GET query string or a form body, where yoga JSON.parses them and lets the
 * SyntaxError through, which came out as INTERNAL) answer 400 BAD_USER_INPUT, whatever parser
 * yoga chose for the request.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export function requestParamsPlugin(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      const parse = requestParser;
      setRequestParser(async (request) => {
        try {
          return await parse(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw createGraphQLError('The request parameters are not valid: variables and extensions must be JSON objects', {
            extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
          });
        }
      });
    },
  };
}
