import { applyDecorators, UsePipes } from '@nestjs/common';
import { ApiBasicAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { adminValidationPipe } from '../audit/admin-validation.pipe';
import { ADMIN_AUTH_SCHEME } from './api-docs.constants';
import { ErrorResponseDto } from './error-response.dto';

/**
 * What every admin JSON controller shares: listed under "admin" in the API document behind the
 * admin basic auth (401, or 429 after too many), and its params and queries validated as DTOs.
 */
export function AdminApi() {
  return applyDecorators(
    ApiTags('admin'),
    ApiBasicAuth(ADMIN_AUTH_SCHEME),
    ApiUnauthorizedResponse({
      description: 'no or wrong admin credentials (429 after too many)',
      type: ErrorResponseDto,
    }),
    UsePipes(adminValidationPipe),
  );
}
