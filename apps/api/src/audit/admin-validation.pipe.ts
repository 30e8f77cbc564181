import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** The texts of every failed constraint, nested ones included, in declaration order. */
function messagesOf(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const name = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, text]) =>
      // class-validator's own wording for a parameter nobody declared is "property x should not exist".
      constraint === 'whitelistValidation' ? `${name} is not an accepted parameter` : text,
    );
    return [...own, ...messagesOf(error.children ?? [], name)];
  });
}

/**
 * Validation of the admin endpoints' params and queries (the DTOs next to their controllers):
 * undeclared parameters are refused (400), values are checked against the DTO, and the 400 keeps
 * the shape the endpoints always had: `{statusCode, message, error}` with one readable `message`
 * naming the field (several problems are joined with "; ").
 *
 * Scoped to the admin controllers with `@UsePipes`, never global: the webhook's body is raw bytes
 * that only the signature guard may look at first.
 */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new BadRequestException(messagesOf(errors).join('; ')),
});
