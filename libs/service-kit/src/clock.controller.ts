import { Body, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Access } from '@tremplin/auth';
import { ClockBackwardsError, CLOCK, type ControllableClock } from './clock';
import { ApiController } from './http/command-route';
import { ApiError } from './http/errors';
import { parseWith } from './http/validation';

const setClockBody = z.strictObject({
  now: z.iso.datetime({ offset: true }),
  mode: z.enum(['running', 'frozen']).default('running'),
});

/**
 * Moves a demo or test platform through time (CLOCK_CONTROL=on only; the service refuses that setting in
 * production). Every service has its own clock: a demo driver sets each of them.
 */
@ApiController('platform/clock', 'operations')
export class ClockController {
  constructor(@Inject(CLOCK) private readonly clock: ControllableClock) {}

  @Get()
  @Access('platform.admin')
  @ApiOperation({ summary: 'The service clock (CLOCK_CONTROL=on): its instant and whether it runs or is frozen' })
  read() {
    return this.clock.state();
  }

  @Put()
  @HttpCode(200)
  @Access('platform.admin')
  @ApiOperation({ summary: 'Move the service clock forward to an instant, running on from it or frozen (never backwards: 409 CLOCK_BACKWARDS)' })
  set(@Body() body: unknown) {
    const { now, mode } = parseWith(setClockBody, body, 'VALIDATION_FAILED');
    try {
      return this.clock.set(new Date(now), mode);
    } catch (error) {
      if (error instanceof ClockBackwardsError) throw new ApiError(409, error.code, error.message, 'now');
      throw error;
    }
  }
}
