/**
 * The mails the service sends, in Russian, as plain text and HTML. Pure: no I/O; the outbox
 * stores the rendered result, so a template change never alters a mail already queued.
 */
export type MailInput =
  | { template: 'confirm_email'; to: string; name: string; link: string; code: string; ttlHours: number }
  | { template: 'change_email'; to: string; name: string; link: string; code: string; ttlHours: number }
  | { template: 'registration_attempt'; to: string; resetLink: string }
  | { template: 'account_linked_by_other'; to: string; name: string; account: string; address: string; newHolder: string; at: Date; timeZone: string; link: string }
  | { template: 'password_reset'; to: string; name: string; link: string; code: string; ttlMinutes: number }
  | { template: 'password_changed'; to: string; name: string; at: Date; ip: string; timeZone: string }
  | { template: 'new_login'; to: string; name: string; at: Date; ip: string; device: string; timeZone: string }
  | { template: 'reading_window_open'; to: string; name: string; supplier: string; accounts: string[]; from: string; to_: string; link: string }
  | { template: 'reading_accepted'; to: string; name: string; account: string; meter: string; period: string; values: string; consumption: string | null; note: string }
  | { template: 'invoice_issued'; to: string; name: string; supplier: string; account: string; period: string; number: string; totalDue: string; dueDate: string; link: string }
  | { template: 'autopay_activated'; to: string; name: string; supplier: string; account: string; card: string; limit: string; link: string }
  | { template: 'autopay_card_not_saved'; to: string; name: string; account: string; link: string }
  | { template: 'autopay_planned'; to: string; name: string; account: string; period: string; amount: string; note: string | null; chargeAt: string; link: string }
  | { template: 'autopay_charged'; to: string; name: string; account: string; period: string; amount: string; card: string; note: string | null; link: string }
  | { template: 'autopay_declined'; to: string; name: string; account: string; period: string; amount: string; reason: string; link: string }
  | { template: 'autopay_skipped'; to: string; name: string; account: string; period: string; reason: string; link: string }
  | { template: 'ticket_update'; to: string; name: string; number: number; subject: string; answer: string | null; status: string | null; link: string }
  | { template: 'ticket_staff_notice'; to: string; number: number; subject: string; what: string; link: string }
  | { template: 'ticket_overdue'; to: string; number: number; subject: string; target: string; dueAt: string; link: string }
  | { template: 'webhook_endpoint_disabled'; to: string; supplier: string; url: string; reason: string; since: string | null; lastError: string | null; keepsEvents: boolean }

export interface RenderedMail {
  to: string
  template: MailInput['template']
  subject: string
  text: string
  html: string
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export function formatLocalTime(at: Date, timeZone: string): string {
  const formatted = new Intl.DateTimeFormat('ru-RU', { timeZone, dateStyle: 'long', timeStyle: 'short' }).format(at)
  return `${formatted} (${timeZone})`
}

type Block = string | { link: string; label: string } | { code: string }

// A new link of the same kind voids the older ones, and the outbox may deliver mails out of
// order, so every such mail says which one counts.
const ONLY_THE_LATEST =
  'Если вы запрашивали письмо несколько раз, работает только ссылка из последнего запроса: ссылки и коды из прежних писем больше не действуют.'

function render(input: MailInput, subject: string, greeting: string, blocks: Block[]): RenderedMail {
  const signature = 'Это письмо отправлено автоматически, отвечать на него не нужно.\nЛичный кабинет абонента'
  const text = [greeting, ...blocks.map((b) => (typeof b === 'string' ? b : 'link' in b ? `${b.label}: ${b.link}` : `Код: ${b.code}`)), signature].join('\n\n')
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...blocks.map((b) =>
      typeof b === 'string'
        ? `<p>${escapeHtml(b)}</p>`
        : 'link' in b
          ? `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.label)}</a></p>`
          : `<p>Код: <code>${escapeHtml(b.code)}</code></p>`,
    ),
    `<p style="color:#666">${escapeHtml(signature).replace('\n', '<br>')}</p>`,
  ].join('\n')
  return { to: input.to, template: input.template, subject, text, html: `<!doctype html><html lang="ru"><body>${html}</body></html>` }
}

export function renderMail(input: MailInput): RenderedMail {
  switch (input.template) {
    case 'confirm_email':
      return render(input, 'Подтвердите адрес электронной почты', `Здравствуйте, ${input.name}!`, [
        'Вы зарегистрировались в личном кабинете абонента. Чтобы войти, подтвердите адрес электронной почты.',
        { link: input.link, label: 'Подтвердить адрес' },
        { code: input.code },
        ONLY_THE_LATEST,
        `Ссылка действует ${input.ttlHours} ч. Если вы не регистрировались, просто удалите это письмо.`,
      ])
    case 'change_email':
      return render(input, 'Подтвердите новый адрес электронной почты', `Здравствуйте, ${input.name}!`, [
        'В личном кабинете указан этот адрес как новый. Подтвердите его, чтобы письма приходили сюда.',
        { link: input.link, label: 'Подтвердить адрес' },
        { code: input.code },
        ONLY_THE_LATEST,
        `Ссылка действует ${input.ttlHours} ч. Если вы не меняли адрес, удалите это письмо.`,
      ])
    case 'registration_attempt':
      return render(input, 'Попытка регистрации с вашим адресом', 'Здравствуйте!', [
        'Кто-то пытался зарегистрироваться в личном кабинете абонента с этим адресом электронной почты, но он уже зарегистрирован.',
        'Если это были вы и вы не помните пароль, восстановите его:',
        { link: input.resetLink, label: 'Восстановить пароль' },
        'Если это были не вы, ничего делать не нужно: ваш кабинет в безопасности.',
      ])
    case 'account_linked_by_other':
      return render(input, 'К вашему лицевому счёту подключился ещё один человек', `Здравствуйте, ${input.name}!`, [
        `${formatLocalTime(input.at, input.timeZone)} к лицевому счёту ${input.account} (${input.address}) в личном кабинете подключился ${input.newHolder}.`,
        'Если это член вашей семьи или вы сами с другого адреса, ничего делать не нужно.',
        'Если вы его не знаете, сообщите поставщику: он отключит чужой доступ и выдаст новый код доступа для квитанции. Кто подключён к счёту, видно в кабинете:',
        { link: input.link, label: 'Открыть лицевой счёт' },
      ])
    case 'password_reset':
      return render(input, 'Восстановление пароля', `Здравствуйте, ${input.name}!`, [
        'Мы получили запрос на восстановление пароля к личному кабинету.',
        { link: input.link, label: 'Задать новый пароль' },
        { code: input.code },
        ONLY_THE_LATEST,
        `Ссылка действует ${input.ttlMinutes} мин и работает один раз. Если вы не запрашивали восстановление, удалите это письмо.`,
      ])
    case 'password_changed':
      return render(input, 'Пароль изменён', `Здравствуйте, ${input.name}!`, [
        `Пароль к личному кабинету изменён ${formatLocalTime(input.at, input.timeZone)}, IP-адрес ${input.ip}.`,
        'Если это сделали не вы, немедленно восстановите пароль и обратитесь в поддержку.',
      ])
    case 'reading_window_open':
      return render(input, 'Пора передать показания счётчиков', `Здравствуйте, ${input.name}!`, [
        `${input.supplier} принимает показания с ${input.from} по ${input.to_} включительно.`,
        `Лицевые счета без показаний за этот период: ${input.accounts.join(', ')}.`,
        { link: input.link, label: 'Передать показания' },
        'Показания, переданные позже, будут учтены в следующем периоде, а начисление за текущий пройдёт по среднему.',
        'Отключить такие напоминания можно в настройках уведомлений личного кабинета.',
      ])
    case 'reading_accepted':
      return render(input, 'Показания приняты', `Здравствуйте, ${input.name}!`, [
        `Показания счётчика ${input.meter} по лицевому счёту ${input.account} приняты за период ${input.period}: ${input.values}.`,
        input.consumption ? `Расход за период: ${input.consumption}.` : 'Это первые показания счётчика: расход будет рассчитан по следующим.',
        input.note,
        'Отключить уведомления по почте можно в настройках личного кабинета.',
      ])
    case 'invoice_issued':
      return render(input, `Квитанция за ${input.period}: лицевой счёт ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `${input.supplier} выставил квитанцию № ${input.number} за ${input.period} по лицевому счёту ${input.account}. Она приложена к письму в PDF; QR-код на ней можно отсканировать в приложении банка.`,
        input.totalDue,
        `Оплатить нужно до ${input.dueDate} включительно.`,
        { link: input.link, label: 'Квитанция в личном кабинете' },
        'Получать квитанции на бумаге вместо почты можно, изменив способ доставки в личном кабинете.',
      ])
    case 'autopay_activated':
      return render(input, `Автоплатёж подключён: лицевой счёт ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `Автоплатёж по лицевому счёту ${input.account} (${input.supplier}) подключён: карта ${input.card}, не более ${input.limit} в месяц.`,
        'Когда выйдет квитанция, мы заранее напишем, сколько и когда спишем, и ещё раз — после списания.',
        { link: input.link, label: 'Автоплатёж в личном кабинете' },
        'Отключить автоплатёж можно в любой момент в личном кабинете.',
      ])
    case 'autopay_card_not_saved':
      return render(input, `Автоплатёж не подключён: лицевой счёт ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `Платёж по лицевому счёту ${input.account} прошёл, но банк не сохранил карту для автоплатежа, поэтому автоплатёж не подключён.`,
        'Попробуйте подключить его ещё раз, возможно с другой картой.',
        { link: input.link, label: 'Автоплатёж в личном кабинете' },
      ])
    case 'autopay_planned':
      return render(input, `Автоплатёж: спишем ${input.amount} по счёту ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `По квитанции за ${input.period} (лицевой счёт ${input.account}) автоплатёж спишет ${input.amount} ${input.chargeAt}.`,
        ...(input.note ? [input.note] : []),
        'Если к этому времени вы оплатите квитанцию сами, спишем только остаток или ничего.',
        { link: input.link, label: 'Автоплатёж в личном кабинете' },
        'Отключить автоплатёж можно в любой момент до списания.',
      ])
    case 'autopay_charged':
      return render(input, `Автоплатёж: списано ${input.amount} по счёту ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `С карты ${input.card} списано ${input.amount} в оплату квитанции за ${input.period} по лицевому счёту ${input.account}.`,
        ...(input.note ? [input.note] : []),
        { link: input.link, label: 'Платежи в личном кабинете' },
      ])
    case 'autopay_declined':
      return render(input, `Автоплатёж не прошёл: лицевой счёт ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `Банк отказал в списании ${input.amount} по квитанции за ${input.period} (лицевой счёт ${input.account}): ${input.reason}.`,
        'Автоплатёж остановлен, чтобы не повторять списания с карты, которая их не принимает. Оплатите квитанцию сами и, если нужно, подключите автоплатёж снова.',
        { link: input.link, label: 'Оплатить в личном кабинете' },
      ])
    case 'autopay_skipped':
      return render(input, `Автоплатёж: списание не понадобилось, счёт ${input.account}`, `Здравствуйте, ${input.name}!`, [
        `По квитанции за ${input.period} (лицевой счёт ${input.account}) ничего не списано: ${input.reason}.`,
        { link: input.link, label: 'Лицевой счёт в личном кабинете' },
      ])
    case 'ticket_update':
      return render(input, `Обращение № ${input.number}: ${input.answer ? 'ответ поддержки' : 'изменён статус'}`, `Здравствуйте, ${input.name}!`, [
        `Обращение № ${input.number} «${input.subject}».`,
        ...(input.answer ? [`Ответ: ${input.answer}`] : []),
        ...(input.status ? [`Статус: ${input.status}.`] : []),
        { link: input.link, label: 'Обращение в личном кабинете' },
      ])
    case 'ticket_staff_notice':
      return render(input, `Обращение № ${input.number}: ${input.what}`, 'Здравствуйте!', [
        `Обращение № ${input.number} «${input.subject}»: ${input.what}.`,
        { link: input.link, label: 'Открыть обращение' },
      ])
    case 'ticket_overdue':
      return render(input, `Просрочено обращение № ${input.number}`, 'Здравствуйте!', [
        `По обращению № ${input.number} «${input.subject}» пропущен срок: ${input.target} (до ${input.dueAt}).`,
        { link: input.link, label: 'Открыть обращение' },
      ])
    case 'webhook_endpoint_disabled':
      return render(input, `Вебхук отключён: ${input.url}`, 'Здравствуйте!', [
        `Адрес ${input.url} (${input.supplier}) больше не получает события: ${input.reason}.`,
        ...(input.since ? [`Доставка не удаётся с ${input.since}.`] : []),
        ...(input.lastError ? [`Последний ответ: ${input.lastError}`] : []),
        input.keepsEvents
          ? 'Новые события копятся и не теряются. Когда приёмник снова заработает, включите адрес (PATCH /v1/admin/webhook-endpoints/{id} с enabled: true): всё накопленное будет доставлено по порядку.'
          : 'Новые события на этот адрес не отправляются. Чтобы снова их получать, включите адрес (PATCH /v1/admin/webhook-endpoints/{id} с enabled: true).',
      ])
    case 'new_login':
      return render(input, 'Вход с нового устройства', `Здравствуйте, ${input.name}!`, [
        `В личный кабинет выполнен вход с нового устройства: ${input.device}, IP-адрес ${input.ip}, ${formatLocalTime(input.at, input.timeZone)}.`,
        'Если это были не вы, смените пароль и завершите чужие сеансы в разделе «Безопасность».',
      ])
  }
}
