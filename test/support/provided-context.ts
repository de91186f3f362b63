/** Values the global setup provides to test files (`inject(...)`). */
declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's shared in-memory DynamoDB Local. */
    dynamodbEndpoint: string;
  }
}

export {};
